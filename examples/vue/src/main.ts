import { createApp } from 'vue';
import App from './App.vue';
import { loadConfig } from './config';
import './style.css';

createApp(App, await loadConfig()).mount('#app');
