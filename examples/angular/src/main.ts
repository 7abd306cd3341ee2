import { bootstrapApplication } from '@angular/platform-browser';
import { App, CONFIG } from './app';
import { loadConfig } from './config';

loadConfig()
  .then((config) => bootstrapApplication(App, { providers: [{ provide: CONFIG, useValue: config }] }))
  .catch((error) => console.error(error));
