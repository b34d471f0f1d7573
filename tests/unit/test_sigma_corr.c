/* test_sigma_corr.c — correlation rules on crafted event streams (every
 * type, window edges, group-by, aliases, ordering, chaining, generate) and
 * Sigma filters. */
#include "test.h"
#include "sigma_util.h"

#define BASE(id, name, field, val) \
    "title: " id "\nid: " id "\nname: " name "\nlogsource: {product: test}\ndetection:\n  sel:\n    " field ": " val "\n  condition: sel\n---\n"

typedef struct ev { int64_t t; const char *kv[12]; } ev;

/* run events through a fresh scanner; count detections of rule id `want` */
static int run(const char *yaml, const ev *evs, size_t n, const char *want, hits *out)
{
    sp_ruleset *rs = rs_from(yaml, NULL);
    if (!rs) return -1;
    sp_scanner *sc = NULL;
    hits h;
    memset(&h, 0, sizeof h);
    sp_scanner_new(rs, &sc);
    for (size_t i = 0; i < n; i++) match_kv_t(sc, evs[i].kv, evs[i].t, "test", &h);
    sp_scanner_flush(sc, hit_cb, &h);
    sp_scanner_free(sc);
    sp_ruleset_free(rs);
    int c = 0;
    for (int i = 0; i < h.n && i < 32; i++) if (!want || !strcmp(h.ids[i], want)) c++;
    if (out) *out = h;
    return c;
}

static const char *EC =
    BASE("fail", "failed_logon", "Action", "fail")
    "title: brute\nid: brute\ncorrelation:\n  type: event_count\n  rules: [fail]\n  group-by: [User]\n"
    "  timespan: 10s\n  condition:\n    gte: 3\n";

TEST(sigma_corr_event_count_window_edges)
{
    hits h;
    ev a[] = {{0, {"Action", "fail", "User", "u1"}}, {1000, {"Action", "fail", "User", "u1"}},
              {2000, {"Action", "fail", "User", "u1"}}, {2500, {"Action", "fail", "User", "u1"}}};
    CHECK_EQ_INT(run(EC, a, 4, "brute", &h), 1);            /* fires once (edge-triggered) */
    CHECK_EQ_INT(h.first[0], 0);
    CHECK_EQ_INT(h.last[0], 2000);
    CHECK_EQ_INT(h.count[0], 3);
    CHECK_STR(h.group[0], "User=u1");
    CHECK_EQ_INT(run(EC, a, 4, "fail", NULL), 0);           /* base rule not generated */
    /* the window is inclusive: t - timespan still counts */
    ev b[] = {{0, {"Action", "fail", "User", "u2"}}, {5000, {"Action", "fail", "User", "u2"}},
              {10000, {"Action", "fail", "User", "u2"}}};
    CHECK_EQ_INT(run(EC, b, 3, "brute", NULL), 1);
    ev c[] = {{0, {"Action", "fail", "User", "u3"}}, {5000, {"Action", "fail", "User", "u3"}},
              {10001, {"Action", "fail", "User", "u3"}}};
    CHECK_EQ_INT(run(EC, c, 3, "brute", NULL), 0);
    /* sliding, not fixed buckets: 9s..11s spans a 10s boundary */
    ev d[] = {{9000, {"Action", "fail", "User", "u"}}, {10500, {"Action", "fail", "User", "u"}},
              {11000, {"Action", "fail", "User", "u"}}};
    CHECK_EQ_INT(run(EC, d, 3, "brute", NULL), 1);
    /* groups are separate */
    ev e[] = {{0, {"Action", "fail", "User", "x"}}, {1, {"Action", "fail", "User", "y"}},
              {2, {"Action", "fail", "User", "x"}}, {3, {"Action", "fail", "User", "y"}}};
    CHECK_EQ_INT(run(EC, e, 4, "brute", NULL), 0);
    /* fires again after the condition went false */
    ev f[] = {{0, {"Action", "fail", "User", "u"}}, {1, {"Action", "fail", "User", "u"}}, {2, {"Action", "fail", "User", "u"}},
              {30000, {"Action", "fail", "User", "u"}}, {30001, {"Action", "fail", "User", "u"}}, {30002, {"Action", "fail", "User", "u"}}};
    CHECK_EQ_INT(run(EC, f, 6, "brute", NULL), 2);
}

TEST(sigma_corr_generate)
{
    const char *y = BASE("fail", "failed_logon", "Action", "fail")
        "title: brute\nid: brute\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  group-by: [User]\n"
        "  timespan: 10s\n  generate: true\n  condition:\n    gte: 2\n";
    ev a[] = {{0, {"Action", "fail", "User", "u1"}}, {1000, {"Action", "fail", "User", "u1"}}};
    CHECK_EQ_INT(run(y, a, 2, "fail", NULL), 2);    /* referenced by name; generate: base rule fires too */
    CHECK_EQ_INT(run(y, a, 2, "brute", NULL), 1);
}

TEST(sigma_corr_value_count)
{
    const char *y = BASE("fail", "f", "Action", "fail")
        "title: spray\nid: spray\ncorrelation:\n  type: value_count\n  rules: [fail]\n  group-by: [Src]\n"
        "  timespan: 1m\n  condition:\n    field: User\n    gte: 3\n";
    ev a[] = {{0, {"Action", "fail", "Src", "h", "User", "a"}}, {1, {"Action", "fail", "Src", "h", "User", "a"}},
              {2, {"Action", "fail", "Src", "h", "User", "b"}}, {3, {"Action", "fail", "Src", "other", "User", "c"}},
              {4, {"Action", "fail", "Src", "h", "User", "c"}}};
    hits h;
    CHECK_EQ_INT(run(y, a, 5, "spray", &h), 1);
    CHECK_EQ_INT(h.count[0], 3);
    CHECK_EQ_INT(h.last[0], 4);
    /* repeated values do not count */
    CHECK_EQ_INT(run(y, a, 4, "spray", NULL), 0);
}

TEST(sigma_corr_temporal)
{
    const char *y = BASE("ra", "recon_a", "Cmd", "whoami") BASE("rb", "recon_b", "Cmd", "ipconfig")
        "title: recon\nid: recon\ncorrelation:\n  type: temporal\n  rules: [recon_a, recon_b]\n  group-by: [Host]\n  timespan: 5s\n";
    ev any[] = {{0, {"Cmd", "ipconfig", "Host", "h"}}, {4000, {"Cmd", "whoami", "Host", "h"}}};
    CHECK_EQ_INT(run(y, any, 2, "recon", NULL), 1);       /* any order */
    ev far[] = {{0, {"Cmd", "ipconfig", "Host", "h"}}, {6000, {"Cmd", "whoami", "Host", "h"}}};
    CHECK_EQ_INT(run(y, far, 2, "recon", NULL), 0);       /* outside timespan */
    ev hosts[] = {{0, {"Cmd", "ipconfig", "Host", "h1"}}, {1, {"Cmd", "whoami", "Host", "h2"}}};
    CHECK_EQ_INT(run(y, hosts, 2, "recon", NULL), 0);     /* different groups */
}

TEST(sigma_corr_temporal_ordered)
{
    const char *y = BASE("ra", "step_a", "Cmd", "a") BASE("rb", "step_b", "Cmd", "b") BASE("rc", "step_c", "Cmd", "c")
        "title: chain\nid: chain\ncorrelation:\n  type: temporal_ordered\n  rules: [step_a, step_b, step_c]\n  group-by: [Host]\n  timespan: 10s\n";
    ev inorder[] = {{0, {"Cmd", "a", "Host", "h"}}, {1000, {"Cmd", "b", "Host", "h"}}, {2000, {"Cmd", "c", "Host", "h"}}};
    hits h;
    CHECK_EQ_INT(run(y, inorder, 3, "chain", &h), 1);
    CHECK_EQ_INT(h.first[0], 0);
    ev wrong[] = {{0, {"Cmd", "b", "Host", "h"}}, {1000, {"Cmd", "a", "Host", "h"}}, {2000, {"Cmd", "c", "Host", "h"}}};
    CHECK_EQ_INT(run(y, wrong, 3, "chain", NULL), 0);
    ev slow[] = {{0, {"Cmd", "a", "Host", "h"}}, {5000, {"Cmd", "b", "Host", "h"}}, {10001, {"Cmd", "c", "Host", "h"}}};
    CHECK_EQ_INT(run(y, slow, 3, "chain", NULL), 0);      /* first to last exceeds timespan */
    /* a later restart of the chain is used */
    ev restart[] = {{0, {"Cmd", "a", "Host", "h"}}, {9000, {"Cmd", "a", "Host", "h"}}, {12000, {"Cmd", "b", "Host", "h"}},
                    {13000, {"Cmd", "c", "Host", "h"}}};
    CHECK_EQ_INT(run(y, restart, 4, "chain", &h), 1);
    CHECK_EQ_INT(h.first[0], 9000);
}

TEST(sigma_corr_value_sum_avg)
{
    const char *s = BASE("up", "upload", "Action", "upload")
        "title: exfil\nid: exfil\ncorrelation:\n  type: value_sum\n  rules: [upload]\n  group-by: [User]\n"
        "  timespan: 1h\n  condition:\n    field: Bytes\n    gt: 1000\n";
    ev a[] = {{0, {"Action", "upload", "User", "u", "Bytes", "400"}}, {1, {"Action", "upload", "User", "u", "Bytes", "500"}},
              {2, {"Action", "upload", "User", "u", "Bytes", "nan?"}}, {3, {"Action", "upload", "User", "u", "Bytes", "200"}}};
    hits h;
    CHECK_EQ_INT(run(s, a, 4, "exfil", &h), 1);
    CHECK(h.value[0] > 1099 && h.value[0] < 1101);
    const char *v = BASE("up", "upload", "Action", "upload")
        "title: avg\nid: avg\ncorrelation:\n  type: value_avg\n  rules: [upload]\n  group-by: [User]\n"
        "  timespan: 1h\n  condition:\n    field: Bytes\n    gt: 500\n";
    ev b[] = {{0, {"Action", "upload", "User", "u", "Bytes", "100"}}, {1, {"Action", "upload", "User", "u", "Bytes", "800"}},
              {2, {"Action", "upload", "User", "u", "Bytes", "900"}}};
    CHECK_EQ_INT(run(v, b, 2, "avg", NULL), 0);      /* mean 450 */
    CHECK_EQ_INT(run(v, b, 3, "avg", &h), 1);        /* mean 600 */
    CHECK(h.value[0] > 599 && h.value[0] < 601);
}

TEST(sigma_corr_value_percentile)
{
    const char *y = BASE("pc", "proc", "Kind", "proc")
        "title: rare\nid: rare\ncorrelation:\n  type: value_percentile\n  rules: [proc]\n  group-by: [Host]\n"
        "  timespan: 1d\n  condition:\n    field: Image\n    lte: 20\n";
    ev a[10];
    memset(a, 0, sizeof a);
    for (int i = 0; i < 9; i++) {
        a[i].t = i;
        a[i].kv[0] = "Kind"; a[i].kv[1] = "proc"; a[i].kv[2] = "Host"; a[i].kv[3] = "h";
        a[i].kv[4] = "Image"; a[i].kv[5] = "svchost.exe";
    }
    a[9] = a[0];
    a[9].t = 9;
    a[9].kv[5] = "evil.exe";
    hits h;
    CHECK_EQ_INT(run(y, a, 10, "rare", &h), 1);      /* evil.exe is 10% of the window */
    CHECK(h.value[0] > 9.9 && h.value[0] < 10.1);
}

TEST(sigma_corr_aliases)
{
    const char *y = BASE("out", "outbound", "Dir", "out") BASE("in", "inbound", "Dir", "in")
        "title: pingpong\nid: pp\ncorrelation:\n  type: temporal\n  rules: [outbound, inbound]\n"
        "  aliases:\n    ip:\n      outbound: DstIp\n      inbound: SrcIp\n  group-by: [ip]\n  timespan: 1m\n";
    ev a[] = {{0, {"Dir", "out", "SrcIp", "10.0.0.1", "DstIp", "1.2.3.4"}},
              {1000, {"Dir", "in", "SrcIp", "1.2.3.4", "DstIp", "10.0.0.1"}}};
    hits h;
    CHECK_EQ_INT(run(y, a, 2, "pp", &h), 1);
    CHECK_STR(h.group[0], "ip=1.2.3.4");
    ev b[] = {{0, {"Dir", "out", "SrcIp", "10.0.0.1", "DstIp", "1.2.3.4"}},
              {1000, {"Dir", "in", "SrcIp", "5.6.7.8", "DstIp", "10.0.0.1"}}};
    CHECK_EQ_INT(run(y, b, 2, "pp", NULL), 0);
    CHECK(strstr(reject_reason(BASE("x", "x", "A", "1")
        "title: bad\nid: bad\ncorrelation:\n  type: temporal\n  rules: [x]\n  aliases:\n    ip:\n      nope: F\n  group-by: [ip]\n  timespan: 1m\n"),
        "alias"));
}

TEST(sigma_corr_chained)
{
    const char *y = BASE("fail", "f", "Action", "fail")
        "title: burst\nid: burst\nname: burst\ncorrelation:\n  type: event_count\n  rules: [fail]\n  group-by: [User]\n"
        "  timespan: 10s\n  condition:\n    gte: 2\n---\n"
        "title: bursts\nid: bursts\ncorrelation:\n  type: event_count\n  rules: [burst]\n  group-by: [User]\n"
        "  timespan: 1m\n  condition:\n    gte: 2\n";
    ev a[] = {{0, {"Action", "fail", "User", "u"}}, {1000, {"Action", "fail", "User", "u"}},
              {20000, {"Action", "fail", "User", "u"}}, {21000, {"Action", "fail", "User", "u"}}};
    hits h;
    CHECK_EQ_INT(run(y, a, 4, "bursts", &h), 1);
    CHECK_STR(h.group[0], "User=u");
    CHECK_EQ_INT(run(y, a, 4, "burst", NULL), 0);   /* inner correlation not generated */
    CHECK_EQ_INT(run(y, a, 2, "bursts", NULL), 0);
}

TEST(sigma_corr_upper_bound_and_operators)
{
    /* lt: judged when the window closes, and at flush */
    const char *y = BASE("hb", "heartbeat", "Kind", "hb")
        "title: quiet\nid: quiet\ncorrelation:\n  type: event_count\n  rules: [heartbeat]\n  group-by: [Host]\n"
        "  timespan: 10s\n  condition:\n    lt: 3\n";
    ev a[] = {{0, {"Kind", "hb", "Host", "h"}}, {1000, {"Kind", "hb", "Host", "h"}}, {20000, {"Kind", "hb", "Host", "h"}}};
    CHECK_EQ_INT(run(y, a, 3, "quiet", NULL), 2);   /* closed window {0,1s} and the open one at flush */
    /* range gt + lte */
    const char *r = BASE("e", "e", "K", "x")
        "title: range\nid: range\ncorrelation:\n  type: event_count\n  rules: [e]\n  group-by: [H]\n"
        "  timespan: 1m\n  condition:\n    gt: 1\n    lte: 2\n";
    ev b[] = {{0, {"K", "x", "H", "h"}}, {1, {"K", "x", "H", "h"}}, {2, {"K", "x", "H", "h"}}};
    CHECK_EQ_INT(run(r, b, 3, "range", NULL), 1);
    const char *q = BASE("e", "e", "K", "x")
        "title: eq\nid: eq\ncorrelation:\n  type: event_count\n  rules: [e]\n  timespan: 1m\n  condition:\n    eq: 2\n";
    CHECK_EQ_INT(run(q, b, 3, "eq", NULL), 1);
    const char *n = BASE("e", "e", "K", "x")
        "title: neq\nid: neq\ncorrelation:\n  type: event_count\n  rules: [e]\n  timespan: 1m\n  condition:\n    neq: 1\n";
    CHECK_EQ_INT(run(n, b, 3, "neq", NULL), 1);
}

TEST(sigma_corr_rejections)
{
    CHECK(strstr(reject_reason("title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [nope]\n  timespan: 1m\n  condition:\n    gte: 2\n"),
                 "'nope' is not loaded"));
    CHECK(strstr(reject_reason("title: c\nid: c\ncorrelation:\n  type: bogus\n  rules: [x]\n  timespan: 1m\n"), "unknown type"));
    CHECK(strstr(reject_reason(BASE("x", "x", "A", "1") "title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [x]\n  timespan: 1x\n  condition:\n    gte: 2\n"),
                 "timespan"));
    CHECK(strstr(reject_reason(BASE("x", "x", "A", "1") "title: c\nid: c\ncorrelation:\n  type: value_count\n  rules: [x]\n  timespan: 1m\n  condition:\n    gte: 2\n"),
                 "field"));
    /* a cycle of correlations */
    CHECK(strstr(reject_reason(
        "title: c1\nid: c1\ncorrelation:\n  type: event_count\n  rules: [c2]\n  timespan: 1m\n  condition:\n    gte: 2\n---\n"
        "title: c2\nid: c2\ncorrelation:\n  type: event_count\n  rules: [c1]\n  timespan: 1m\n  condition:\n    gte: 2\n"),
        "cyclic"));
}

TEST(sigma_filters)
{
    const char *y =
        "title: rar\nid: 6f3e2987-db24-4c78-a860-b4f4095a7095\nlogsource: {product: test, category: process_creation}\n"
        "detection:\n  sel:\n    Image|endswith: '\\rar.exe'\n  condition: sel\n---\n"
        "title: other\nid: other\nlogsource: {product: test, category: process_creation}\n"
        "detection:\n  sel:\n    Image|endswith: '\\rar.exe'\n  condition: sel\n---\n"
        "title: Filter admins\nlogsource: {product: test, category: process_creation}\n"
        "filter:\n  rules:\n    - 6f3e2987-db24-4c78-a860-b4f4095a7095\n  selection:\n    User|startswith: 'adm_'\n  condition: not selection\n";
    g_category = "process_creation";
    sp_ruleset *rs = rs_from(y, NULL);
    CHECK(rs != NULL);
    if (!rs) { g_category = NULL; return; }
    sp_scanner *sc = NULL;
    sp_scanner_new(rs, &sc);
    hits h;
    memset(&h, 0, sizeof h);
    match_kv_t(sc, KV("Image", "c:\\rar.exe", "User", "adm_x"), 0, "test", &h);
    CHECK_EQ_INT(h.n, 1);                       /* only the rule the filter does not name */
    CHECK_STR(h.ids[0], "other");
    memset(&h, 0, sizeof h);
    match_kv_t(sc, KV("Image", "c:\\rar.exe", "User", "bob"), 0, "test", &h);
    CHECK_EQ_INT(h.n, 2);
    sp_scanner_free(sc);
    sp_ruleset_free(rs);
    /* 'rules: any' with a logsource that does not fit leaves rules alone */
    const char *z =
        "title: r\nid: r\nlogsource: {product: test, category: a}\ndetection:\n  sel:\n    X: 1\n  condition: sel\n---\n"
        "title: f\nlogsource: {product: test, category: b}\nfilter:\n  rules: any\n  selection:\n    X: 1\n  condition: not selection\n";
    g_category = "a";
    CHECK_EQ_INT(hits_of(z, KV("X", "1")), 1);
    g_category = NULL;
}
