"""Builds authPriv SNMPv3 GetRequests for bench/snmp_replay.c.

usage: snmp_requests.py HOST PORT USER AUTHPASS PRIVPASS OID COUNT OUTFILE

Discovers the agent's engine ID, boots and time (RFC 3414 §4 probe), then
writes COUNT GetRequests (HMAC-SHA-256-192, AES-128-CFB, one varbind each,
distinct msgID and request-id), each as a 2-byte big-endian length and the
datagram. An agent answers each as many times as it is sent while its
engine time stays within 150 s of the one in the request (USM keeps no
replay cache for requests), so the replayer measures the agent's work per
authenticated, encrypted request without spending the load generator's CPU
on cryptography. Also decrypts one real answer to show the requests are
accepted and answered with the right value.
"""
import hashlib
import hmac
import os
import socket
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

try:  # cryptography 46 and later keep CFB among the "decrepit" modes
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:
    from cryptography.hazmat.primitives.ciphers.modes import CFB


def length(n):
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag, content):
    return bytes([tag]) + length(len(content)) + content


def integer(value):
    raw = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True)
    return tlv(0x02, raw)


def octets(value):
    return tlv(0x04, value)


def oid(text):
    arcs = [int(a) for a in text.strip(".").split(".")]
    body = bytes([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.insert(0, 0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(chunk)
    return tlv(0x06, body)


def parse(data, at=0):
    """(tag, content start, content end) of the TLV at `at`."""
    tag, first = data[at], data[at + 1]
    at += 2
    if first & 0x80:
        count = first & 0x7F
        size = int.from_bytes(data[at:at + count], "big")
        at += count
    else:
        size = first
    return tag, at, at + size


def children(data, start, end):
    items = []
    while start < end:
        tag, cs, ce = parse(data, start)
        items.append((tag, cs, ce))
        start = ce
    return items


def key(password, engine):
    repeated = (password * (1048576 // len(password) + 1))[:1048576]
    ku = hashlib.sha256(repeated).digest()
    return hashlib.sha256(ku + engine + ku).digest()


def message(msg_id, flags, usm, data):
    header = tlv(0x30, integer(msg_id) + integer(65507) + octets(bytes([flags])) + integer(3))
    return tlv(0x30, integer(3) + header + octets(usm) + data)


def usm_params(engine, boots, time_, user, auth, salt):
    return tlv(0x30, octets(engine) + integer(boots) + integer(time_) + octets(user) + octets(auth) + octets(salt))


def discover(sock, address):
    scoped = tlv(0x30, octets(b"") + octets(b"") + tlv(0xA0, integer(1) + integer(0) + integer(0) + tlv(0x30, b"")))
    sock.sendto(message(1, 0x04, usm_params(b"", 0, 0, b"", b"", b""), scoped), address)
    data = sock.recv(65535)
    top = children(data, *parse(data)[1:])
    usm = data[top[2][1]:top[2][2]]
    fields = children(usm, *parse(usm)[1:])
    engine = usm[fields[0][1]:fields[0][2]]
    boots = int.from_bytes(usm[fields[1][1]:fields[1][2]], "big")
    time_ = int.from_bytes(usm[fields[2][1]:fields[2][2]], "big")
    return engine, boots, time_


def request(engine, boots, time_, user, auth_key, priv_key, target, msg_id, salt):
    pdu = tlv(0xA0, integer(msg_id) + integer(0) + integer(0) + tlv(0x30, tlv(0x30, oid(target) + b"\x05\x00")))
    scoped = tlv(0x30, octets(engine) + octets(b"") + pdu)
    iv = struct.pack(">II", boots, time_) + salt
    encryptor = Cipher(algorithms.AES(priv_key[:16]), CFB(iv)).encryptor()
    encrypted = octets(encryptor.update(scoped) + encryptor.finalize())
    placeholder = bytes(24)
    unsigned = message(msg_id, 0x07, usm_params(engine, boots, time_, user, placeholder, salt), encrypted)
    mac = hmac.new(auth_key, unsigned, hashlib.sha256).digest()[:24]
    at = unsigned.index(octets(placeholder)) + 2
    return unsigned[:at] + mac + unsigned[at + 24:]


def answer_value(data, priv_key):
    """The first varbind's value bytes of an encrypted answer."""
    top = children(data, *parse(data)[1:])
    usm = data[top[2][1]:top[2][2]]
    fields = children(usm, *parse(usm)[1:])
    boots = int.from_bytes(usm[fields[1][1]:fields[1][2]], "big")
    time_ = int.from_bytes(usm[fields[2][1]:fields[2][2]], "big")
    salt = usm[fields[5][1]:fields[5][2]]
    ciphertext = data[top[3][1]:top[3][2]]
    decryptor = Cipher(algorithms.AES(priv_key[:16]), CFB(struct.pack(">II", boots, time_) + salt)).decryptor()
    scoped = decryptor.update(ciphertext) + decryptor.finalize()
    items = children(scoped, *parse(scoped)[1:])
    pdu_tag, ps, pe = items[2]
    pdu_fields = children(scoped, ps, pe)
    varbind_list = pdu_fields[3]
    first = children(scoped, varbind_list[1], varbind_list[2])[0]
    name, value = children(scoped, first[1], first[2])
    return pdu_tag, value[0], scoped[value[1]:value[2]]


def main():
    host, port, user, auth_pass, priv_pass, target, count, out = sys.argv[1:9]
    address = (host, int(port))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(3)
    engine, boots, time_ = discover(sock, address)
    auth_key, priv_key = key(auth_pass.encode(), engine), key(priv_pass.encode(), engine)
    datagrams = [request(engine, boots, time_, user.encode(), auth_key, priv_key, target, 1000 + i, os.urandom(8))
                 for i in range(int(count))]
    sock.sendto(datagrams[0], address)
    tag, value_tag, value = answer_value(sock.recv(65535), priv_key)
    if tag != 0xA2 or value_tag in (0x80, 0x81, 0x82):
        raise SystemExit(f"the agent did not answer the request: PDU 0x{tag:02x}, value tag 0x{value_tag:02x}")
    with open(out, "wb") as f:
        for datagram in datagrams:
            f.write(struct.pack(">H", len(datagram)) + datagram)
    print(f"engine {engine.hex()} boots {boots} time {time_}: answer tag 0x{value_tag:02x} value {value.hex()}", file=sys.stderr)


if __name__ == "__main__":
    main()
