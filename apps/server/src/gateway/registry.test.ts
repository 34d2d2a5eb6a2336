import { SendFrameSchema, TypingFrameSchema } from '@veza/shared';
import { describe, expect, it } from 'vitest';
import { FrameParser } from './frames.js';
import { FrameRegistry, type RealtimeFeature } from './registry.js';

const chatLike = {
  name: 'chat-like',
  clientFrames: { send: { schema: SendFrameSchema } },
  serverFrames: ['ack'],
} satisfies RealtimeFeature<'send'>;

describe('the frame registry', () => {
  it('routes a client frame type to the feature that registered it, and no other', () => {
    const registry = new FrameRegistry([chatLike]);
    expect(registry.ownerOf('send')).toBe(chatLike);
    expect(registry.ownerOf('typing')).toBeUndefined();
    expect(registry.ownerOf('hello')).toBeUndefined();
    expect([...registry.clientSchemas().keys()]).toEqual(['hello', 'auth', 'send']);
  });

  it('refuses at start-up a client frame type claimed twice, or one of the gateway own', () => {
    expect(() => new FrameRegistry([chatLike, { ...chatLike, name: 'copy', serverFrames: [] }])).toThrow(
      /"send" is claimed twice/,
    );
    const hijack = {
      name: 'hijack',
      clientFrames: { typing: { schema: TypingFrameSchema } },
      serverFrames: ['error'],
    } satisfies RealtimeFeature<'typing'>;
    expect(() => new FrameRegistry([hijack])).toThrow(/"error" is claimed by gateway and hijack/);
  });

  it('parses only the types of the families it runs', () => {
    const parser = new FrameParser(new FrameRegistry([chatLike]).clientSchemas());
    const typing = parser.parse(JSON.stringify({ type: 'typing', roomId: crypto.randomUUID() }));
    expect(typing).toMatchObject({ ok: false, message: 'Unknown frame type "typing".' });
    const send = parser.parse(JSON.stringify({ type: 'send', roomId: 'x', clientId: 'y', body: 'hi' }));
    expect(send).toMatchObject({ ok: false, message: expect.stringMatching(/^Invalid frame: send\.roomId/) });
  });
});
