import { describe, expect, it, vi } from 'vitest'
import { httpTransport, type EventSourceLike } from './backend'

/** FakeES is a scriptable EventSource: tests fire open/error/message. */
class FakeES implements EventSourceLike {
  readyState = 0
  closed = false
  private handlers = new Map<string, ((ev: { data: string }) => void)[]>()
  constructor(readonly url: string) {}
  addEventListener(type: string, cb: (ev: { data: string }) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), cb])
  }
  close() { this.closed = true; this.readyState = 2 }
  fire(type: string, data = '') { for (const h of this.handlers.get(type) ?? []) h({ data }) }
}

function setup() {
  const sources: FakeES[] = []
  let snapshots = 0
  const fetch = vi.fn(async (url: string) => {
    if (String(url).endsWith('/api/SystemService/Snapshot')) {
      snapshots++
      return new Response(JSON.stringify({ version: `v${snapshots}` }), { status: 200 })
    }
    return new Response('null', { status: 200 })
  }) as unknown as typeof globalThis.fetch
  const tr = httpTransport({
    token: 't', fetch, reconnectMs: 5,
    eventSource: (url) => { const es = new FakeES(url); sources.push(es); return es },
  })
  const got: unknown[] = []
  tr.on('snapshot', (s) => got.push(s))
  return { tr, sources, got, snapshotCalls: () => snapshots }
}

describe('httpTransport reconnect', () => {
  it('re-fetches the snapshot when EventSource reconnects after a dropped stream', async () => {
    const { sources, got, snapshotCalls } = setup()
    expect(sources).toHaveLength(1)
    const es = sources[0]
    es.readyState = 1; es.fire('open')
    es.fire('snapshot', JSON.stringify({ version: 'stream' }))
    expect(snapshotCalls()).toBe(0) // the first open needs no re-fetch
    // The server drops the stream; EventSource retries by itself.
    es.readyState = 0; es.fire('error')
    es.readyState = 1; es.fire('open')
    await vi.waitFor(() => expect(snapshotCalls()).toBe(1))
    await vi.waitFor(() => expect(got).toEqual([{ version: 'stream' }, { version: 'v1' }]))
  })

  it('opens a new EventSource and re-fetches when the old one gave up', async () => {
    const { tr, sources, got, snapshotCalls } = setup()
    const calls: unknown[] = []
    tr.on('call', (c) => calls.push(c))
    const first = sources[0]
    first.readyState = 1; first.fire('open')
    first.readyState = 2; first.fire('error') // closed for good (e.g. HTTP error)
    await vi.waitFor(() => expect(sources).toHaveLength(2))
    expect(first.closed).toBe(true)
    await vi.waitFor(() => expect(snapshotCalls()).toBe(1))
    const second = sources[1]
    second.fire('call', JSON.stringify({ id: 'c1' }))
    first.fire('call', JSON.stringify({ id: 'stale' })) // the old source is ignored
    expect(calls).toEqual([{ id: 'c1' }])
    await vi.waitFor(() => expect(got).toEqual([{ version: 'v1' }]))
  })
})
