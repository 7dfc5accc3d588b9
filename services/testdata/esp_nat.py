#!/usr/bin/python3
"""ESP-in-UDP oracle for the IKE tests (scapy).

decrypt PCAP SPI ENC EKEY AUTH AKEY SRC DST
    Decrypts and ICV-verifies every ESP packet with SPI (decimal) from SRC
    to DST in PCAP, plain (IP protocol 50) or in UDP (NAT traversal; IKE
    messages behind the non-ESP marker are skipped); prints one line per
    packet: "ok <inner src> <inner dst> <inner proto> <seq>".
Keys are hex. Algorithm names are the Junos ones.
"""
import sys
from scapy.all import IP, UDP, ESP, rdpcap
from scapy.layers.ipsec import SecurityAssociation

ENC = {"des-cbc": "DES", "3des-cbc": "3DES", "aes-128-cbc": "AES-CBC",
       "aes-192-cbc": "AES-CBC", "aes-256-cbc": "AES-CBC",
       "aes-128-gcm": "AES-GCM", "aes-192-gcm": "AES-GCM", "aes-256-gcm": "AES-GCM"}
AUTH = {"hmac-md5-96": "HMAC-MD5-96", "hmac-sha1-96": "HMAC-SHA1-96",
        "hmac-sha-256-128": "SHA2-256-128", "hmac-sha2-256": "SHA2-256-128", "none": None}


def decrypt(pcap, spi, enc, ekey, auth, akey, src, dst):
    spi = int(spi)
    args = dict(spi=spi, crypt_algo=ENC[enc], crypt_key=bytes.fromhex(ekey), tunnel_header=IP(src=src, dst=dst))
    if AUTH[auth]:
        args.update(auth_algo=AUTH[auth], auth_key=bytes.fromhex(akey))
    if enc.endswith("-gcm"):
        args.update(crypt_icv_size=16)
    s = SecurityAssociation(ESP, **args)
    for p in rdpcap(pcap):
        if IP not in p or p[IP].src != src or p[IP].dst != dst:
            continue
        if p[IP].proto == 50:
            esp = bytes(p[IP].payload)
        elif UDP in p and p[UDP].dport == 4500:
            esp = bytes(p[UDP].payload)
            if len(esp) < 8 or esp[:4] == b"\0\0\0\0":
                continue
        else:
            continue
        if int.from_bytes(esp[:4], "big") != spi:
            continue
        inner = s.decrypt(IP(src=src, dst=dst, proto=50) / ESP(esp))  # raises on a bad ICV
        print("ok", inner.src, inner.dst, inner.proto, int.from_bytes(esp[4:8], "big"))


if __name__ == "__main__":
    {"decrypt": decrypt}[sys.argv[1]](*sys.argv[2:])
