import base, { imServerPlugin } from '../web-test-runner.config.mjs';
export default { ...base, files: 'tmp-wtr-probe/**/*.test.ts',
  plugins: base.plugins.map((p) => p.name === 'im-test-server' ? imServerPlugin({ script: '/tmp/fake-im-server.mjs' }) : p) };
