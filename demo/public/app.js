// The demo page: a shared drawing board with live cursors and a chat over engine.io-ts.
// Plain browser JavaScript; `eio` is the global from /engine.io.min.js.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const COLORS = ['#1d1d2c', '#ef476f', '#f78c6b', '#ffd166', '#06d6a0', '#118ab2', '#8338ec', '#ff006e'];

  const state = {
    socket: null,
    me: null,
    users: new Map(), // id → { id, name, color, transport }
    segments: [], // { points: [x0, y0, x1, y1, …] normalised 0..1, size, color }
    chat: [],
    color: COLORS[1],
    size: 6,
    counts: { in: 0, out: 0 },
    rtt: null,
  };
  window.demo = state; // handy in the console (and for the tests)

  // ---------------------------------------------------------------- connection

  let retryDelay = 500;
  let openedAt = 0;

  function connect() {
    // No URI: the page's own host. Polling first, then the upgrade to WebSocket.
    const socket = new eio.Socket();
    state.socket = socket;
    setTransport('connecting…', '');

    socket.on('open', () => {
      retryDelay = 500;
      openedAt = performance.now();
      log(`connected via ${socket.transport.name} · session ${socket.id.slice(0, 6)}…`, 'good');
      setTransport(socket.transport.name);
    });
    socket.on('upgrading', (transport) => {
      log(`probing ${transport.name}…`);
      setTransport(`${socket.transport.name} → ${transport.name}`, 'upgrading');
    });
    socket.on('upgrade', (transport) => {
      log(`upgraded to ${transport.name}, ${Math.round(performance.now() - openedAt)} ms after opening`, 'good');
      setTransport(transport.name);
    });
    socket.on('upgradeError', (err) => log(`upgrade failed: ${err.message}`, 'bad'));
    socket.on('message', (data) => {
      state.counts.in++;
      onMessage(JSON.parse(data));
    });
    socket.on('close', (reason) => {
      log(`closed: ${reason} · reconnecting…`, 'bad');
      setTransport('offline', 'closed');
      state.users.clear();
      renderPeople();
      for (const el of $('cursors').children) el.remove();
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 5000);
    });
  }

  function send(message) {
    const socket = state.socket;
    if (!socket || socket.readyState !== 'open') return;
    state.counts.out++;
    socket.send(JSON.stringify(message));
  }

  function onMessage(msg) {
    switch (msg.t) {
      case 'welcome':
        state.me = msg.you;
        state.users = new Map(msg.users.map((u) => [u.id, u]));
        state.segments = msg.segments;
        state.chat = [];
        $('messages').textContent = '';
        for (const line of msg.chat) addChat(line);
        system(`You are ${msg.you.name}. Say hi!`);
        renderPeople();
        redraw();
        break;
      case 'join':
        state.users.set(msg.user.id, msg.user);
        system(`${msg.user.name} joined`);
        renderPeople();
        break;
      case 'leave': {
        const user = state.users.get(msg.id);
        state.users.delete(msg.id);
        const cursor = $(`cursor-${msg.id}`);
        if (cursor) cursor.remove();
        if (user) system(`${user.name} left`);
        renderPeople();
        break;
      }
      case 'user':
        state.users.set(msg.user.id, msg.user);
        renderPeople();
        break;
      case 'transport': {
        const user = state.users.get(msg.id);
        if (user) {
          user.transport = msg.transport;
          renderPeople();
        }
        break;
      }
      case 'cursor':
        moveCursor(msg.id, msg.x, msg.y);
        break;
      case 'draw':
        state.segments.push(msg);
        drawSegment(msg);
        break;
      case 'clear':
        state.segments = [];
        redraw();
        system(`${msg.by} cleared the board`);
        break;
      case 'chat':
        addChat(msg);
        break;
      case 'pong':
        state.rtt = Math.round(performance.now() - msg.ts);
        $('rtt').textContent = state.rtt;
        break;
    }
  }

  // Round trip every 2 s, message rates every second.
  setInterval(() => send({ t: 'ping', ts: performance.now() }), 2000);
  setInterval(() => {
    $('rate-in').textContent = state.counts.in;
    $('rate-out').textContent = state.counts.out;
    state.counts.in = state.counts.out = 0;
  }, 1000);

  // ---------------------------------------------------------------- status

  function setTransport(text, cls = text) {
    const pill = $('transport');
    pill.textContent = text;
    pill.className = `pill ${cls}`;
    pill.dataset.transport = text;
  }

  function log(text, cls = '') {
    const li = document.createElement('li');
    li.className = cls;
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString();
    li.append(time, text);
    $('timeline').prepend(li);
  }

  function renderPeople() {
    const list = $('people');
    list.textContent = '';
    for (const user of state.users.values()) {
      const li = document.createElement('li');
      const dot = document.createElement('span');
      dot.className = 'dot';
      dot.style.background = user.color;
      const name = document.createElement('span');
      name.textContent = user.name;
      li.append(dot, name);
      if (state.me && user.id === state.me.id) {
        const you = document.createElement('span');
        you.className = 'you';
        you.textContent = '(you)';
        li.append(you);
      }
      const tag = document.createElement('span');
      tag.className = `tag ${user.transport || ''}`;
      tag.textContent = user.transport || '';
      li.append(tag);
      list.append(li);
    }
    $('online').textContent = state.users.size;
  }

  // ---------------------------------------------------------------- chat

  function addChat(line) {
    state.chat.push(line);
    const li = document.createElement('li');
    const who = document.createElement('b');
    who.textContent = line.name;
    who.style.color = line.color;
    li.append(who, line.text);
    appendMessage(li);
  }

  function system(text) {
    const li = document.createElement('li');
    li.className = 'system';
    li.textContent = text;
    appendMessage(li);
  }

  function appendMessage(li) {
    const list = $('messages');
    list.append(li);
    while (list.children.length > 80) list.firstElementChild.remove();
    list.scrollTop = list.scrollHeight;
  }

  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('chat-input');
    const text = input.value.trim();
    if (!text) return;
    send({ t: 'chat', text });
    input.value = '';
  });

  // ---------------------------------------------------------------- board

  const board = $('board');
  const canvas = $('canvas');
  const ctx = canvas.getContext('2d');

  function resize() {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(board.clientWidth * ratio);
    canvas.height = Math.round(board.clientHeight * ratio);
    redraw();
  }

  function redraw() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    for (const segment of state.segments) drawSegment(segment);
    $('hint').style.opacity = state.segments.length ? 0 : 1;
  }

  function drawSegment({ points, size, color }) {
    const ratio = window.devicePixelRatio || 1;
    ctx.strokeStyle = color;
    ctx.lineWidth = size * ratio;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(points[0] * canvas.width, points[1] * canvas.height);
    for (let i = 2; i < points.length; i += 2) ctx.lineTo(points[i] * canvas.width, points[i + 1] * canvas.height);
    // A single tap still leaves a dot.
    if (points.length === 4 && points[0] === points[2] && points[1] === points[3]) ctx.lineTo(points[0] * canvas.width + 0.1, points[1] * canvas.height);
    ctx.stroke();
    $('hint').style.opacity = 0;
  }

  const position = (event) => {
    const rect = board.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    return [clamp((event.clientX - rect.left) / rect.width), clamp((event.clientY - rect.top) / rect.height)];
  };

  let stroke = null; // points not yet sent, starting with the last point already sent
  let lastCursor = 0;

  function flushStroke() {
    if (!stroke || stroke.length < 4) return;
    const segment = { t: 'draw', points: stroke, size: state.size, color: state.color };
    state.segments.push(segment);
    drawSegment(segment);
    send(segment);
    stroke = stroke.slice(-2);
  }
  setInterval(flushStroke, 40);

  board.addEventListener('pointerdown', (event) => {
    board.setPointerCapture(event.pointerId);
    const [x, y] = position(event);
    stroke = [x, y, x, y];
    flushStroke();
  });
  board.addEventListener('pointermove', (event) => {
    const [x, y] = position(event);
    if (stroke) stroke.push(x, y);
    const now = performance.now();
    if (now - lastCursor > 30) {
      lastCursor = now;
      send({ t: 'cursor', x, y });
    }
  });
  const endStroke = () => {
    flushStroke();
    stroke = null;
  };
  board.addEventListener('pointerup', endStroke);
  board.addEventListener('pointercancel', endStroke);

  function moveCursor(id, x, y) {
    const user = state.users.get(id);
    if (!user) return;
    let el = $(`cursor-${id}`);
    if (!el) {
      el = document.createElement('div');
      el.className = 'cursor';
      el.id = `cursor-${id}`;
      el.innerHTML = '<svg width="18" height="18" viewBox="0 0 18 18"><path d="M1 1l6.5 15 2-6.5L16 7.5z" stroke="#fff" stroke-width="1.5" stroke-linejoin="round"/></svg><span></span>';
      $('cursors').append(el);
    }
    el.querySelector('path').setAttribute('fill', user.color);
    const label = el.querySelector('span');
    label.textContent = user.name;
    label.style.background = user.color;
    el.style.left = `${x * 100}%`;
    el.style.top = `${y * 100}%`;
  }

  // ---------------------------------------------------------------- toolbar

  for (const color of COLORS) {
    const swatch = document.createElement('button');
    swatch.className = 'swatch';
    swatch.style.background = color;
    swatch.title = color;
    swatch.setAttribute('aria-label', `Colour ${color}`);
    swatch.addEventListener('click', () => {
      state.color = color;
      for (const el of $('swatches').children) el.classList.toggle('active', el === swatch);
    });
    if (color === state.color) swatch.classList.add('active');
    $('swatches').append(swatch);
  }
  $('size').addEventListener('input', (event) => {
    state.size = Number(event.target.value);
  });
  $('clear').addEventListener('click', () => {
    state.segments = [];
    redraw();
    send({ t: 'clear' });
  });

  window.addEventListener('resize', resize);
  resize();
  connect();
})();
