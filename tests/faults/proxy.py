"""A TCP proxy between one service and the broker, which a test can partition.

    python -m tests.faults.proxy TARGET_HOST TARGET_PORT

prints `listening PORT` once it accepts connections. SIGUSR1 partitions: from then on every
byte in either direction is dropped, as on a network that lost its route (the connections stay
open, nothing arrives, no confirm comes back); it prints `partitioned`. SIGUSR2 heals: the
connections that lived through the partition are closed, so their clients reconnect, and new
ones pass again; it prints `healed`. SIGTERM stops it.
"""
import signal
import socket
import sys
import threading


class Proxy:
    def __init__(self, target):
        self.target = target
        self.partitioned = False
        self.lock = threading.Lock()
        self.pairs = set()

    def serve(self):
        server = socket.create_server(("127.0.0.1", 0))
        print(f"listening {server.getsockname()[1]}", flush=True)
        while True:
            client, _ = server.accept()
            threading.Thread(target=self.connect, args=(client,), daemon=True).start()

    def connect(self, client):
        try:
            upstream = socket.create_connection(self.target, timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        pair = (client, upstream)
        with self.lock:
            self.pairs.add(pair)
        threading.Thread(target=self.pump, args=(client, upstream, pair), daemon=True).start()
        self.pump(upstream, client, pair)

    def pump(self, source, target, pair):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if not self.partitioned:
                    target.sendall(data)
        except OSError:
            pass
        finally:
            self.close(pair)

    def close(self, pair):
        with self.lock:
            self.pairs.discard(pair)
        for sock in pair:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def partition(self, *_):
        self.partitioned = True
        print("partitioned", flush=True)

    def heal(self, *_):
        with self.lock:
            cut = list(self.pairs)
        for pair in cut:
            self.close(pair)
        self.partitioned = False
        print("healed", flush=True)


def main():
    proxy = Proxy((sys.argv[1], int(sys.argv[2])))
    signal.signal(signal.SIGUSR1, proxy.partition)
    signal.signal(signal.SIGUSR2, proxy.heal)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    proxy.serve()


if __name__ == "__main__":
    main()
