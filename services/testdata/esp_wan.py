#!/usr/bin/python3
"""ESP oracle for the E2 lab tests (scapy).

decrypt PCAP SPI ENC EKEY AUTH AKEY SRC DST
    Decrypts and ICV-verifies every ESP packet from SRC to DST in PCAP; prints
    one line per packet: "ok <inner src> <inner dst> <inner proto>".
inject SPI ENC EKEY AUTH AKEY SRC DST SEQ INNER_SRC INNER_DST MODE
    Sends one ESP packet (ICMP echo request inside) from the namespace it
    runs in. MODE: good, tamper (ICV flipped), badspi (SPI + 1).
Keys are hex. Algorithm names are the Junos ones.
"""
import sys
from scapy.all import IP, ICMP, ESP, Raw, rdpcap, send, conf
from scapy.layers.ipsec import SecurityAssociation

ENC = {"des-cbc": "DES", "3des-cbc": "3DES", "aes-128-cbc": "AES-CBC",
       "aes-192-cbc": "AES-CBC", "aes-256-cbc": "AES-CBC"}
AUTH = {"hmac-md5-96": "HMAC-MD5-96", "hmac-sha1-96": "HMAC-SHA1-96",
        "hmac-sha-256-128": "SHA2-256-128", "hmac-sha2-256": "SHA2-256-128"}


def sa(spi, enc, ekey, auth, akey, src, dst):
    return SecurityAssociation(ESP, spi=spi, crypt_algo=ENC[enc], crypt_key=bytes.fromhex(ekey),
                               auth_algo=AUTH[auth], auth_key=bytes.fromhex(akey),
                               tunnel_header=IP(src=src, dst=dst))


def decrypt(pcap, spi, enc, ekey, auth, akey, src, dst):
    s = sa(int(spi), enc, ekey, auth, akey, src, dst)
    for p in rdpcap(pcap):
        if IP not in p or p[IP].proto != 50 or p[IP].src != src or p[IP].dst != dst:
            continue
        ip = IP(bytes(p[IP]))
        inner = s.decrypt(ip)  # raises on a bad ICV
        print("ok", inner.src, inner.dst, inner.proto, int.from_bytes(bytes(ip.payload)[4:8], "big"))


def inject(spi, enc, ekey, auth, akey, src, dst, seq, isrc, idst, mode):
    conf.verb = 0
    s = sa(int(spi), enc, ekey, auth, akey, src, dst)
    inner = IP(src=isrc, dst=idst, ttl=64) / ICMP(id=0x4242, seq=int(seq) & 0xFFFF) / Raw(b"mxlab-injected")
    e = s.encrypt(inner, seq_num=int(seq))
    raw = bytearray(bytes(e))
    if mode == "tamper":
        raw[-1] ^= 0xFF
    elif mode == "badspi":
        raw[20:24] = (int(spi) + 1).to_bytes(4, "big")
    send(IP(bytes(raw)))
    print("sent")


if __name__ == "__main__":
    {"decrypt": decrypt, "inject": inject}[sys.argv[1]](*sys.argv[2:])
