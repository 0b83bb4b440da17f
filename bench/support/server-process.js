'use strict';
// Parent-side handle on a server child: start it, ask it for snapshots, stop it.
const { fork } = require('node:child_process');
const path = require('node:path');

const { OPTIONS_ENV } = require('./options');

const CHILD = path.join(__dirname, 'server-child.js');
// The bare references are child programs of their own, speaking the same IPC.
const SCRIPTS = {
  'bare-ws': path.join(__dirname, 'bare-ws-server.js'),
  'bare-http': path.join(__dirname, 'bare-http-server.js'),
};

// BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every server child into <dir>
// (open it in Chrome DevTools or summarise it with bench/support/profile-summary.js).
function profileArgs(impl) {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${impl}-${Date.now()}-${process.hrtime()[1]}.cpuprofile`] : [];
}

class ServerProcess {
  constructor(child, port, impl) {
    this.child = child;
    this.port = port;
    this.impl = impl;
    this.nextId = 1;
    this.pending = new Map();
    child.on('message', (msg) => {
      const done = this.pending.get(msg.id);
      if (!done) return;
      this.pending.delete(msg.id);
      if (msg.error) done.reject(new Error(msg.error));
      else done.resolve(msg);
    });
    child.on('exit', (code, signal) => {
      for (const done of this.pending.values()) done.reject(new Error(`server child (${impl}) exited: ${code ?? signal}`));
      this.pending.clear();
    });
  }

  // impl is 'ours', 'official' or 'limit'; `module` decides which package the child loads
  // (both sides may load 'official' to calibrate the noise of the harness), or names a bare
  // reference ('bare-ws', 'bare-http'). `script` and `args` name another child program
  // speaking the same IPC (bench/socketio.js). `overrides` change some server options
  // (options.js, childOptions()).
  static start(impl, module, script = SCRIPTS[module] || CHILD, args = [module], overrides = undefined) {
    return new Promise((resolve, reject) => {
      const env = { ...process.env, DEBUG: '' };
      if (overrides !== undefined) env[OPTIONS_ENV] = JSON.stringify(overrides);
      const child = fork(script, args, {
        execArgv: ['--expose-gc', ...profileArgs(impl)],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env,
      });
      const onExit = (code) => reject(new Error(`server child (${impl}) exited before it was ready: ${code}`));
      child.once('exit', onExit);
      child.once('error', reject);
      child.once('message', (msg) => {
        child.off('exit', onExit);
        if (!msg.ready) return reject(new Error(`unexpected first message from server child: ${JSON.stringify(msg)}`));
        resolve(new ServerProcess(child, msg.port, impl));
      });
    });
  }

  request(cmd, extra) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, ...extra });
    });
  }

  snapshot() {
    return this.request('snapshot');
  }

  memory() {
    return this.request('memory');
  }

  // Asks the child to exit (so a CPU profile gets written); kills it if it does not.
  stop() {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.send({ id: 0, cmd: 'exit' }, () => {});
    });
  }
}

module.exports = { ServerProcess };
