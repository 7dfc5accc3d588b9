"""Drive mxlab with ncclient (Debian python3-ncclient 0.6.13) on its NETCONF port.

    /usr/bin/python3 session.py PORT

get-config, edit-config, validate, commit, and a confirmed commit left
unconfirmed until the router rolls it back (the test makes a minute short).
It prints one line per check and exits 1 when one fails.
"""

import sys
import time

from ncclient import manager
from ncclient.operations import RPCError

CONFIG = """<config><configuration><interfaces><interface><name>ge-1/0/0</name>
<description>%s</description></interface></interfaces></configuration></config>"""


def description(m, source):
    reply = m.get_config(source=source, filter=("subtree",
        "<configuration><interfaces><interface><name>ge-1/0/0</name></interface></interfaces></configuration>"))
    return reply.xpath("//description/text()")


def main():
    port = int(sys.argv[1])
    failed = []

    def check(name, ok, text=""):
        print("%s %s" % ("ok  " if ok else "FAIL", name))
        if not ok:
            print(text)
            failed.append(name)

    with manager.connect(host="127.0.0.1", port=port, username="lab", password="lab123",
                         hostkey_verify=False, look_for_keys=False, allow_agent=False,
                         device_params={"name": "junos"}, timeout=30) as m:
        caps = list(m.server_capabilities)
        check("capabilities", "urn:ietf:params:netconf:capability:candidate:1.0" in caps
              and "urn:ietf:params:netconf:base:1.1" not in caps, caps)
        check("session id", int(m.session_id) > 0, m.session_id)

        m.lock(target="candidate")
        m.edit_config(target="candidate", config=CONFIG % "nc-one")
        m.validate(source="candidate")
        check("candidate edited", description(m, "candidate") == ["nc-one"], description(m, "candidate"))
        check("running untouched", description(m, "running") == [], description(m, "running"))
        m.commit()
        check("committed", description(m, "running") == ["nc-one"], description(m, "running"))

        m.edit_config(target="candidate", config=CONFIG % "nc-two")
        m.commit(confirmed=True, timeout="60")
        check("confirmed commit applied", description(m, "running") == ["nc-two"], description(m, "running"))
        m.unlock(target="candidate")
        deadline = time.time() + 10
        while description(m, "running") != ["nc-one"] and time.time() < deadline:
            time.sleep(0.2)
        check("unconfirmed commit rolled back", description(m, "running") == ["nc-one"], description(m, "running"))

        try:
            m.edit_config(target="candidate", config="<config><configuration><nosuch/></configuration></config>")
            check("bad edit-config refused", False)
        except RPCError as e:
            check("bad edit-config refused", "syntax error" in str(e), str(e))
        m.discard_changes()
        reply = m.command("show version", format="text")
        check("command", "Hostname: r1" in reply.xpath("//output/text()")[0], reply)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
