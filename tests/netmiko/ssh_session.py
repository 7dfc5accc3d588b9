"""Drive mxlab over SSH with netmiko's Juniper driver (Debian python3-netmiko 2.4).

    /usr/bin/python3 ssh_session.py PORT USER

USER is lab (the CLI at login) or root (the FreeBSD shell, where netmiko
types "cli"); the password is the factory one. The script prints one line
per check and exits 1 when one fails.
"""

import sys

from netmiko import ConnectHandler


def main():
    port, user = int(sys.argv[1]), sys.argv[2]
    failed = []

    def check(name, ok, text):
        print("%s %s %s" % ("ok  " if ok else "FAIL", user, name))
        if not ok:
            print(text)
            failed.append(name)

    conn = ConnectHandler(device_type="juniper_junos", host="127.0.0.1", port=port,
                          username=user, password="lab123", timeout=30)
    check("base prompt", conn.base_prompt == user + "@r1", conn.base_prompt)

    out = conn.send_command("show version")
    check("show version", "Hostname: r1" in out and "Junos: 24.4R1.9" in out
          and not out.rstrip().endswith(">"), out)

    unit = "1" if user == "lab" else "2"
    out = conn.send_config_set(["set interfaces ge-1/0/%s description by-%s" % (unit, user),
                                "set interfaces ge-1/0/%s unit 0 family inet address 10.%s.0.1/24" % (unit, unit)])
    check("send_config_set", "error" not in out and "syntax" not in out, out)
    check("left configuration mode", not conn.check_config_mode(), "")

    out = conn.commit(check=True)
    check("commit check", "configuration check succeeds" in out, out)
    out = conn.commit(confirm=True, confirm_delay=5)
    check("commit confirmed", "commit confirmed will be automatically rolled back in 5 minutes" in out, out)
    out = conn.commit(comment="netmiko " + user)
    check("commit comment (confirms)", "commit complete" in out, out)
    out = conn.commit(and_quit=True)
    check("commit and-quit", "commit complete" in out and "Exiting configuration mode" in out, out)

    out = conn.send_command("show system commit")
    check("commit history", "netmiko " + user in out and "by %s via cli" % user in out, out)
    out = conn.send_command("show configuration interfaces ge-1/0/%s" % unit)
    check("configuration committed", "description by-%s;" % user in out, out)
    out = conn.send_command("show system users")
    check("listed in show system users", user in out and "127.0.0.1" in out, out)

    conn.disconnect()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
