#!/usr/bin/python3
"""Independent ESP oracle for package esp, built on scapy's SecurityAssociation.

usage: esp_oracle.py check               exit 0 when scapy's IPsec layer can be used
       esp_oracle.py decrypt < cases.json  decrypt and ICV-verify each case's packet,
                                           compare with its inner packet
       esp_oracle.py encrypt < cases.json  encrypt each case's inner packet (with its
                                           IV and sequence number when given); JSON out

A case is {"name", "enc", "auth", "ekey", "akey", "spi", "seq", "src", "dst",
"sport", "dport", "tos", "df", "iv", "inner", "packet"}; byte strings are hex,
sport/dport are 0 for plain ESP, tos/df describe the outer header to build.
"""
import json
import struct
import sys

try:
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers import ipsec
    from scapy.layers.ipsec import ESP, SecurityAssociation
except ImportError as e:  # pragma: no cover
    print("scapy unavailable: %s" % e, file=sys.stderr)
    sys.exit(2)

ENC = {
    "des-cbc": "DES", "3des-cbc": "3DES",
    "aes-128-cbc": "AES-CBC", "aes-192-cbc": "AES-CBC", "aes-256-cbc": "AES-CBC",
    "aes-128-gcm": "AES-GCM", "aes-192-gcm": "AES-GCM", "aes-256-gcm": "AES-GCM",
}


def auth_name(junos):
    """Maps a Junos authentication name to scapy's, adding the non-RFC
    HMAC-SHA-256-96 that scapy does not ship."""
    if junos == "none":
        return None
    if junos == "hmac-sha-256-96":
        if "HMAC-SHA-256-96" not in ipsec.AUTH_ALGOS:
            ipsec.AUTH_ALGOS["HMAC-SHA-256-96"] = ipsec.AuthAlgo(
                "HMAC-SHA-256-96", mac=ipsec.HMAC, digestmod=ipsec.hashes.SHA256, icv_size=12)
        return "HMAC-SHA-256-96"
    if junos in ("hmac-sha-256-128", "hmac-sha2-256"):
        for n in ("HMAC-SHA2-256-128", "SHA2-256-128"):
            if n in ipsec.AUTH_ALGOS:
                return n
    return {"hmac-md5-96": "HMAC-MD5-96", "hmac-sha1-96": "HMAC-SHA1-96"}[junos]


def sa_for(c):
    natt = UDP(sport=c["sport"], dport=c["dport"]) if c["dport"] else None
    akey = bytes.fromhex(c["akey"]) if c["akey"] else None
    return SecurityAssociation(
        ESP, spi=c["spi"], crypt_algo=ENC[c["enc"]], crypt_key=bytes.fromhex(c["ekey"]),
        auth_algo=auth_name(c["auth"]), auth_key=akey,
        tunnel_header=IP(src=c["src"], dst=c["dst"], tos=c.get("tos", 0),
                         flags="DF" if c.get("df") else 0),
        nat_t_header=natt)


def esp_packet(c, raw):
    """Parses an outer packet; UDP-encapsulated ESP on any port."""
    pkt = IP(raw)
    if c["dport"]:
        udp = pkt[UDP]
        esp = ESP(bytes(udp.payload))
        udp.remove_payload()
        pkt = pkt / esp
    return pkt


def decrypt(cases):
    failed = 0
    for c in cases:
        try:
            inner = sa_for(c).decrypt(esp_packet(c, bytes.fromhex(c["packet"])))
            got = bytes(inner)
            if got != bytes.fromhex(c["inner"]):
                raise ValueError("inner packet differs: %s" % got.hex())
            print("ok   %s" % c["name"])
        except Exception as e:  # report every case
            failed += 1
            print("FAIL %s: %s: %s" % (c["name"], type(e).__name__, e))
    return 1 if failed else 0


def encrypt(cases):
    out = []
    for c in cases:
        iv = bytes.fromhex(c["iv"]) if c.get("iv") else None
        inner = bytes.fromhex(c["inner"])
        inner = IPv6(inner) if inner[0] >> 4 == 6 else IP(inner)
        pkt = sa_for(c).encrypt(inner, seq_num=c["seq"], iv=iv)
        raw = bytearray(bytes(pkt))
        if c["dport"]:
            # scapy 2.5.0 writes the length of the UDP header alone; the
            # checksum is 0 (RFC 3948), so only the length needs fixing.
            ihl = (raw[0] & 0x0F) * 4
            struct.pack_into("!H", raw, ihl + 4, len(raw) - ihl)
        c = dict(c)
        c["packet"] = raw.hex()
        out.append(c)
    json.dump(out, sys.stdout, indent=1)
    return 0


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "check":
        return 0
    if cmd not in ("decrypt", "encrypt"):
        print(__doc__, file=sys.stderr)
        return 2
    cases = json.load(sys.stdin)
    return decrypt(cases) if cmd == "decrypt" else encrypt(cases)


if __name__ == "__main__":
    sys.exit(main())
