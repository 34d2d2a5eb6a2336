#!/usr/bin/env node
/**
 * Desktop cache benchmark: the chat cache (SQLite, better-sqlite3) of the desktop app under a
 * heavy user's history. Builds a temporary cache file with 1,000,000 messages (10 rooms × 100,000,
 * generated varied text, accents included), then measures, through the real core code (bundled
 * from apps/desktop/src/core at bench time):
 *
 * - the latest 50 messages of a room with 100k cached (ChatService.getMessages: query, reactions,
 *   replies, outbox overlay): target < 16 ms, one frame;
 * - full-text search over the 1M messages (ChatService.searchMessages, FTS5): target < 50 ms;
 * - applying a 10,000-event catch-up (EventApplier, pages of 500 as the server replays them):
 *   target < 1 s.
 *
 *   node scripts/bench/desktop-cache.mjs   (or `pnpm bench desktop-cache`)
 *
 * No server needed. VEZA_BENCH_MESSAGES_PER_ROOM=10000 shrinks the cache for a quick check (the
 * results file is then left as it was). Prints Markdown tables and writes
 * scripts/bench/results/desktop-cache.json. Removes its temporary files, also on error.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDesktopModules } from './lib/desktop-modules.mjs';
import { machineInfo, median, round, saveResults, table } from './lib/harness.mjs';

const NAME = 'desktop-cache';
const HARD_TIMEOUT_MS = 15 * 60_000;
const ROOMS = 10;
const DEFAULT_PER_ROOM = 100_000;
const PER_ROOM =
  Number(process.env.VEZA_BENCH_MESSAGES_PER_ROOM) > 0
    ? Number(process.env.VEZA_BENCH_MESSAGES_PER_ROOM)
    : DEFAULT_PER_ROOM;
const USERS = 200;
const WINDOW_RUNS = 300;
const SEARCH_RUNS = 60;
const CATCH_UP_EVENTS = 10_000;
const CATCH_UP_RUNS = 5;
const REPLAY_PAGE = 500;
const TARGETS = { windowMs: 16, searchMs: 50, catchUpMs: 1000 };

// ---------------------------------------------------------------------------------------------
// Generated text: a seeded PRNG, a Zipf-like vocabulary (common words, accented words, and many
// made-up rare words), so FTS sees realistic posting-list lengths.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(42);

const COMMON = `the a to and of is in it you that for on this with be have are was not but at we can what so just
like do if my your all me about out up from one there get they know would how good think when time no
now more new see some them people then want only also day go back well any make really still over
meeting tomorrow today coffee music track album release stream listen playlist show live tonight
great thanks sorry yes okay maybe please later soon weekend mix song guitar drums bass vocal studio
café crème résumé naïve déjà vu garçon façade über straße smörgåsbord piñata jalapeño`.split(/\s+/);
const SYLLABLES = ['ka', 'lo', 'mi', 'ru', 'ze', 'ta', 'no', 'vi', 'sa', 'po', 'qu', 'el', 'an', 'or', 'ix', 'um'];
const RARE = Array.from({ length: 20_000 }, () => {
  const n = 2 + Math.floor(random() * 3);
  let word = '';
  for (let i = 0; i < n; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  return word;
});

function word() {
  // ~80 % common words (skewed to the first ones), ~20 % from a long tail.
  if (random() < 0.8) return COMMON[Math.floor(COMMON.length * random() ** 2)];
  return RARE[Math.floor(RARE.length * random() ** 1.5)];
}

function sentence() {
  const length = 3 + Math.floor(random() * 22);
  const words = [];
  for (let i = 0; i < length; i++) words.push(word());
  const text = words.join(' ');
  return text[0].toUpperCase() + text.slice(1) + (random() < 0.2 ? '?' : '.');
}

// ---------------------------------------------------------------------------------------------

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function stats(values) {
  return {
    runs: values.length,
    median: round(median(values), 2),
    p95: round(percentile(values, 95), 2),
    max: round(Math.max(...values), 2),
  };
}

async function timeAsync(runs, work) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work(i);
    times.push(performance.now() - start);
  }
  return times;
}

function roomFor(id, name) {
  return {
    id,
    kind: 'public',
    name,
    topic: null,
    createdAt: new Date(Date.UTC(2025, 0, 1)).toISOString(),
    lastSeq: 0,
    memberCount: USERS,
    myRole: 'member',
    lastReadSeq: 0,
    unreadCount: 0,
    dmPeer: null,
  };
}

/** 1M messages (plus reactions and replies) in one transaction, straight into the tables. */
function buildCache(core, db, me, users, roomIds) {
  const rooms = new core.RoomStore(db, me.id);
  const usersStore = new core.UsersStore(db);
  const insert = db.prepare(
    `INSERT INTO messages (id, client_id, room_id, seq, author_id, body, reply_to, mentions, mentions_me, created_at, version_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, '[]', 0, ?, ?)`,
  );
  const react = db.prepare('INSERT OR IGNORE INTO message_reactions (message_id, emoji, user_id) VALUES (?, ?, ?)');
  const start = Date.UTC(2025, 0, 1);
  const recent = roomIds.map(() => []);
  db.transaction(() => {
    for (const user of users) usersStore.remember(user.id, user.username);
    roomIds.forEach((id, index) => rooms.upsertFromServer(roomFor(id, `room ${index + 1}`)));
    for (let seq = 1; seq <= PER_ROOM; seq++) {
      for (let r = 0; r < roomIds.length; r++) {
        // Message ids as the server mints them: UUIDv7, growing with time.
        const id = core.uuidv7(start + seq * 60_000 + r);
        const author = users[Math.floor(random() * users.length)];
        const replyTo =
          recent[r].length > 0 && random() < 0.05 ? recent[r][Math.floor(random() * recent[r].length)] : null;
        insert.run(
          id,
          randomUUID(),
          roomIds[r],
          seq,
          author.id,
          sentence(),
          replyTo,
          new Date(start + seq * 60_000 + r).toISOString(),
          seq,
        );
        if (random() < 0.1)
          react.run(
            id,
            ['👍', '🎉', '❤️', '😂'][Math.floor(random() * 4)],
            users[Math.floor(random() * users.length)].id,
          );
        recent[r].push(id);
        if (recent[r].length > 50) recent[r].shift();
      }
    }
    for (const id of roomIds)
      db.prepare('UPDATE rooms SET cursor = ?, last_seq = ?, history_floor = 1 WHERE id = ?').run(
        PER_ROOM,
        PER_ROOM,
        id,
      );
  })();
}

/** 10k events as a server would replay them: mostly new messages, some edits and reactions. */
function catchUpEvents(core, roomId, fromSeq, users) {
  const events = [];
  const created = [];
  for (let i = 0; i < CATCH_UP_EVENTS; i++) {
    const seq = fromSeq + i;
    const actor = users[Math.floor(random() * users.length)];
    const at = new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString();
    const base = { type: 'event', roomId, seq, actorId: actor.id, at };
    const roll = random();
    if (created.length > 0 && roll < 0.1) {
      events.push({
        ...base,
        kind: 'reaction.added',
        data: { messageId: created[Math.floor(random() * created.length)], emoji: '👍', userId: actor.id },
      });
    } else if (created.length > 0 && roll < 0.15) {
      events.push({
        ...base,
        kind: 'message.edited',
        data: {
          messageId: created[Math.floor(random() * created.length)],
          body: sentence(),
          mentions: [],
          editedAt: at,
        },
      });
    } else {
      const id = core.uuidv7(Date.parse(at));
      created.push(id);
      events.push({
        ...base,
        kind: 'message.created',
        data: {
          message: {
            id,
            roomId,
            seq,
            authorId: actor.id,
            authorUsername: actor.username,
            clientId: randomUUID(),
            body: sentence(),
            replyTo: null,
            mentions: [],
            createdAt: at,
            editedAt: null,
            deletedAt: null,
            reactions: [],
          },
        },
      });
    }
  }
  return events;
}

/**
 * Feeds a replay to a SyncEngine as the socket would: welcome, then the frames' text 100 per
 * event-loop turn, then `synced`; resolves with the ms until the room's cursor reached the end.
 */
async function replayThroughEngine(core, db, parts, applier, me, roomId, texts) {
  const engine = new core.SyncEngine({
    ...parts,
    applier,
    history: { refreshRooms: async () => undefined, loadLatest: async () => undefined },
    sender: { setOnline: () => undefined, onAck: () => undefined, onDone: () => false, onError: () => false },
    view: new core.MessageView(parts.messages, me),
    notifier: new core.ChangeNotifier(() => undefined),
    send: () => true,
    markOnline: () => undefined,
    emit: () => undefined,
    log: { warn: () => undefined, error: () => undefined },
  });
  const cursor = db.prepare('SELECT cursor FROM rooms WHERE id = ?');
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  engine.onWelcome({
    type: 'welcome',
    protocol: 1,
    userId: me.id,
    rooms: [{ roomId, lastSeq: texts.length }],
    expiresAt: null,
    heartbeatMs: 30_000,
  });
  for (let i = 0; i < texts.length; i += 100) {
    for (const text of texts.slice(i, i + 100)) {
      const parsed = core.parseServerFrame(text);
      if (!parsed.ok) throw new Error(`invalid frame: ${parsed.reason}`);
      engine.onFrame(parsed.frame);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  engine.onFrame({ type: 'synced', roomId, seq: texts.length });
  while (cursor.get(roomId).cursor < texts.length) await new Promise((resolve) => setImmediate(resolve));
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  engine.onDisconnected();
  // CPU time of this process too: on a busy machine wall time includes waiting for a core.
  return { elapsed, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function main() {
  const { modules: core, cleanup } = await loadDesktopModules();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'veza-bench-desktop-cache-'));
  const file = path.join(dir, 'cache.sqlite');
  let db;
  try {
    db = core.openCacheDatabase(file);
    const users = Array.from({ length: USERS }, (_, i) => ({ id: randomUUID(), username: `user${i}` }));
    const me = users[0];
    const roomIds = Array.from({ length: ROOMS }, () => randomUUID());

    console.error(`bench: building a cache of ${(ROOMS * PER_ROOM).toLocaleString('en')} messages…`);
    const buildStart = performance.now();
    buildCache(core, db, me, users, roomIds);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
    const buildMs = performance.now() - buildStart;
    const sizeMiB = fs.statSync(file).size / 2 ** 20;

    const tokens = { accessToken: async () => 'unused', renewAccessToken: async () => 'unused' };
    // Never started: no socket, reads only (what the UI does offline and online alike).
    const chat = new core.ChatService({
      db,
      api: new core.ApiClient('http://127.0.0.1:9', tokens),
      tokens,
      me,
      emit: () => undefined,
    });
    const messages = new core.MessageStore(db, me.id);
    const room = roomIds[0];

    // Latest window and scrollback.
    await timeAsync(20, () => chat.getMessages({ roomId: room, limit: 50 }));
    const windowTimes = await timeAsync(WINDOW_RUNS, (i) =>
      chat.getMessages({ roomId: roomIds[i % ROOMS], limit: 50 }),
    );
    const queryTimes = await timeAsync(WINDOW_RUNS, (i) => messages.page(roomIds[i % ROOMS], undefined, 51));
    const scrollTimes = await timeAsync(WINDOW_RUNS, (i) =>
      chat.getMessages({ roomId: roomIds[i % ROOMS], beforeSeq: 1 + Math.floor(random() * PER_ROOM), limit: 50 }),
    );

    // Search.
    const rareWord = RARE[3];
    const queries = [
      'coffee',
      'meeting tomorrow',
      'cafe creme',
      'playl',
      rareWord,
      'guitar drums bass',
      '"studio" OR NOT live*',
      'zzqxnotfound',
    ];
    const searchRows = [];
    const searchResults = {};
    for (const query of queries) {
      await timeAsync(5, () => chat.searchMessages({ query, limit: 20 }));
      const hits = (await chat.searchMessages({ query, limit: 20 })).length;
      const times = await timeAsync(SEARCH_RUNS, () => chat.searchMessages({ query, limit: 20 }));
      const inRoom = await timeAsync(SEARCH_RUNS, () => chat.searchMessages({ query, roomId: room, limit: 20 }));
      searchResults[query] = { hits, all: stats(times), inRoom: stats(inRoom) };
      searchRows.push([
        `\`${query}\``,
        hits,
        stats(times).median,
        stats(times).p95,
        stats(inRoom).median,
        stats(inRoom).p95,
      ]);
    }

    // Catch-up: 10k events into a fresh room, three ways. "engine": the frames' JSON text parsed,
    // validated and handed to the SyncEngine as the socket does, 100 frames per event-loop turn
    // (about one TCP read), until the room's cursor reaches the end; the real path end to end.
    // "pages of 500": EventApplier alone, one transaction per replay page. "one batch": one.
    const catchUp = { engine: [], engineCpu: [], pages: [], single: [] };
    for (let run = 0; run < CATCH_UP_RUNS * 3; run++) {
      const mode = ['engine', 'pages', 'single'][run % 3];
      const roomId = randomUUID();
      const parts = {
        rooms: new core.RoomStore(db, me.id),
        messages: new core.MessageStore(db, me.id),
        users: new core.UsersStore(db),
        outbox: new core.OutboxStore(db),
        meId: me.id,
      };
      parts.rooms.upsertFromServer(roomFor(roomId, `catch-up ${run}`));
      const applier = new core.EventApplier(db, parts);
      const events = catchUpEvents(core, roomId, 1, users);
      if (mode === 'engine') {
        const texts = events.map((event) => JSON.stringify(event));
        const { elapsed, cpuMs } = await replayThroughEngine(core, db, parts, applier, me, roomId, texts);
        catchUp.engine.push(elapsed);
        catchUp.engineCpu.push(cpuMs);
      } else {
        const start = performance.now();
        if (mode === 'pages')
          for (let i = 0; i < events.length; i += REPLAY_PAGE) applier.apply(events.slice(i, i + REPLAY_PAGE));
        else applier.apply(events);
        catchUp[mode].push(performance.now() - start);
      }
      const cursor = db.prepare('SELECT cursor FROM rooms WHERE id = ?').get(roomId).cursor;
      if (cursor !== CATCH_UP_EVENTS)
        throw new Error(`catch-up (${mode}) reached ${cursor}, expected ${CATCH_UP_EVENTS}`);
    }
    const catchUpTimes = catchUp.engine;
    const singleBatchTimes = catchUp.single;

    const window = stats(windowTimes);
    const engineStats = stats(catchUpTimes);
    const worstSearchMedian = Math.max(...Object.values(searchResults).map((r) => r.all.median));
    console.log(
      `\n## Desktop chat cache: ${(ROOMS * PER_ROOM).toLocaleString('en')} messages, ${round(sizeMiB)} MiB (built in ${round(buildMs / 1000, 1)} s)\n`,
    );
    console.log(
      table(
        ['measure', 'runs', 'median ms', 'p95 ms', 'max ms', 'target'],
        [
          [
            'latest 50 messages (getMessages)',
            window.runs,
            window.median,
            window.p95,
            window.max,
            `< ${TARGETS.windowMs} ms`,
          ],
          ['latest 51 rows (SQL only)', ...Object.values(stats(queryTimes)), '—'],
          ['scrollback 50 at a random seq', ...Object.values(stats(scrollTimes)), `< ${TARGETS.windowMs} ms`],
          [
            '10k-event catch-up (frames → SyncEngine)',
            engineStats.runs,
            engineStats.median,
            engineStats.p95,
            engineStats.max,
            `< ${TARGETS.catchUpMs} ms`,
          ],
          ['10k-event catch-up, CPU time (frames → SyncEngine)', ...Object.values(stats(catchUp.engineCpu)), '—'],
          ['10k events, EventApplier, pages of 500', ...Object.values(stats(catchUp.pages)), '—'],
          ['10k events, EventApplier, one batch', ...Object.values(stats(singleBatchTimes)), '—'],
        ],
      ),
    );
    console.log(`\n### Search (searchMessages, limit 20, newest first)\n`);
    console.log(table(['query', 'hits', 'all rooms median ms', 'p95 ms', 'one room median ms', 'p95 ms'], searchRows));
    console.log(
      `\nTargets: window ${window.median <= TARGETS.windowMs ? 'met' : 'MISSED'}, search ${worstSearchMedian <= TARGETS.searchMs ? 'met' : 'MISSED'}, catch-up ${engineStats.median <= TARGETS.catchUpMs ? 'met' : 'MISSED'}.`,
    );

    const results = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      cache: {
        rooms: ROOMS,
        messagesPerRoom: PER_ROOM,
        messages: ROOMS * PER_ROOM,
        sizeMiB: round(sizeMiB, 1),
        buildSeconds: round(buildMs / 1000, 1),
      },
      targets: TARGETS,
      latestWindow: window,
      latestWindowSqlOnly: stats(queryTimes),
      scrollback: stats(scrollTimes),
      search: searchResults,
      catchUp: {
        events: CATCH_UP_EVENTS,
        engine: engineStats,
        applierPagesOf500: stats(catchUp.pages),
        applierOneBatch: stats(singleBatchTimes),
      },
    };
    if (PER_ROOM !== DEFAULT_PER_ROOM) {
      console.error(`bench: VEZA_BENCH_MESSAGES_PER_ROOM in use: scripts/bench/results/${NAME}.json left as it was`);
    } else {
      await saveResults(NAME, results);
    }
  } finally {
    db?.close();
    await fsp.rm(dir, { recursive: true, force: true });
    await cleanup();
  }
}

const hardTimeout = setTimeout(() => {
  console.error(`bench: gave up after ${HARD_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, HARD_TIMEOUT_MS);
hardTimeout.unref();
main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
