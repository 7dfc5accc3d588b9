"""Drive mxlab with netmiko's Juniper driver (Debian python3-netmiko 2.4).

    /usr/bin/python3 junos_session.py PORT SET-FILE

netmiko 2.4 reaches a router over SSH, telnet or a serial port; the test
serves mxlab's terminal on a local TCP port, so the juniper_junos_telnet
device type (JuniperTelnet: the Juniper driver with "\\r\\n" as Enter) talks
to it. The script prints one line per check and exits 1 when one fails.
"""

import sys

from netmiko import ConnectHandler


def main():
    port, set_file = int(sys.argv[1]), sys.argv[2]
    with open(set_file) as f:
        set_lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]

    failed = []

    def check(name, ok, text):
        print("%s %s" % ("ok  " if ok else "FAIL", name))
        if not ok:
            print(text)
            failed.append(name)

    conn = ConnectHandler(
        device_type="juniper_junos_telnet",
        host="127.0.0.1",
        port=port,
        username="lab",
        password="lab",
        timeout=20,
    )
    check("base prompt", conn.base_prompt == "lab@R1", conn.base_prompt)

    out = conn.send_command("show version")
    check(
        "show version",
        "Hostname: R1" in out and "Model: mx480" in out and "Junos: 24.4R1.9" in out
        and "JUNOS OS Kernel" in out and not out.rstrip().endswith(">"),
        out,
    )

    out = conn.send_config_set(set_lines)
    check("send_config_set", "error" not in out and "syntax" not in out, out)
    check("left configuration mode", not conn.check_config_mode(), "")

    out = conn.commit()
    check("commit", "commit complete" in out, out)

    out = conn.commit(check=True)
    check("commit check", "configuration check succeeds" in out, out)

    out = conn.commit(comment="netmiko change", and_quit=True)
    check("commit comment and-quit", "commit complete" in out and "Exiting configuration mode" in out, out)

    out = conn.send_command("show configuration | display set | match ipsec-vpn")
    want = [l for l in set_lines if "ipsec-vpn" in l and "key ascii-text" not in l]
    got = out.splitlines()
    check("configuration committed", all(l in got for l in want), out)

    out = conn.send_command("show system commit")
    check("commit history", "netmiko change" in out and "by lab via cli" in out, out)

    out = conn.send_command("show configuration | compare rollback 1")
    check("nothing changed by the last commit", out.strip() == "", out)

    conn.disconnect()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
