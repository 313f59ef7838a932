#!/usr/bin/env python3
"""delay-proxy.py LISTEN_PORT TARGET_PORT DELAY_MS - a TCP relay on
127.0.0.1 that holds every byte DELAY_MS in each direction, and each new
connection one round trip (2 x DELAY_MS) before it reaches the target, as
a TCP handshake over such a link would: what `tc qdisc ... netem delay`
does on loopback, for a kernel built without netem. Order is kept and
pipelining is not serialised: each chunk is due DELAY_MS after it was
read, whatever is still waiting. Stops on SIGTERM."""
import asyncio
import signal
import sys


async def pump(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                try:
                    writer.write_eof()
                except (OSError, RuntimeError):
                    pass
                return
            writer.write(data)
            try:
                await writer.drain()
            except OSError:
                return

    task = asyncio.create_task(deliver())
    while True:
        try:
            data = await reader.read(1 << 16)
        except OSError:
            data = b""
        queue.put_nowait((loop.time() + delay, data))
        if not data:
            break
    await task


async def relay(target, delay, creader, cwriter):
    try:
        await asyncio.sleep(2 * delay)
        sreader, swriter = await asyncio.open_connection("127.0.0.1", target)
    except OSError:
        cwriter.close()
        return
    await asyncio.gather(pump(creader, swriter, delay),
                         pump(sreader, cwriter, delay))
    for w in (swriter, cwriter):
        w.close()


async def main():
    listen, target, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000
    server = await asyncio.start_server(
        lambda r, w: relay(target, delay, r, w), "127.0.0.1", listen)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
