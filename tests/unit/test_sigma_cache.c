/* test_sigma_cache.c — the compiled-rules cache (sigma_cache.c): a set read
 * back from the cache has the same rules, metadata, rejections and
 * detections as the one compiled from the YAML; a changed rule file, a
 * damaged or truncated cache, added YAML text and an unwritable folder all
 * fall back to compiling; the full SigmaHQ set round-trips (when present). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "test.h"
#include "sigma_util.h"

static const char *RULES_A =
    "title: Rar from temp\nid: rar-1\nstatus: test\nlevel: high\ntags: [attack.t1560.001, attack.collection]\n"
    "references: ['https://example.org/a']\nfalsepositives: [admins]\n"
    "logsource: {product: test, category: process_creation}\n"
    "detection:\n  sel:\n    Image|endswith: '\\rar.exe'\n    CommandLine|contains|all: [' a ', '-hp']\n"
    "  tmp:\n    CurrentDirectory|startswith: 'C:\\Users\\'\n  filter:\n    User|re: '^adm_[a-z]+$'\n"
    "  condition: sel and tmp and not filter\n"
    "---\n"
    "title: Net from range\nid: net-1\nlevel: medium\nlogsource: {product: test, category: network_connection}\n"
    "detection:\n  sel:\n    DestinationIp|cidr: ['175.45.176.0/22', '2001:db8::/32']\n    DestinationPort: [443, 8080]\n"
    "  condition: sel\n"
    "---\n"
    "title: Glob and windash\nid: glob-1\nlevel: low\nlogsource: {product: test, category: process_creation}\n"
    "detection:\n  sel:\n    CommandLine|windash|contains: ' -enc '\n  g:\n    Image: '*\\power?hell*.exe'\n"
    "  condition: 1 of them\n";

static const char *RULES_B =
    "title: keyword\nid: kw-1\nlevel: critical\nlogsource: {product: test}\n"
    "detection:\n  keywords:\n    - 'mimikatz'\n    - 'sekurlsa::'\n  condition: keywords\n"
    "---\n"
    "title: base64 offset\nid: b64-1\nlogsource: {product: test, category: process_creation}\n"
    "detection:\n  sel:\n    CommandLine|base64offset|contains: 'http://'\n  condition: sel\n"
    "---\n"
    "title: fail\nid: fail\nname: failed_logon\nlogsource: {product: test}\n"
    "detection:\n  sel:\n    Action: fail\n  condition: sel\n"
    "---\n"
    "title: brute\nid: brute\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  group-by: [User]\n"
    "  timespan: 10s\n  condition:\n    gte: 3\n"
    "---\n"
    "title: Filter admins\nlogsource: {product: test, category: process_creation}\n"
    "filter:\n  rules:\n    - glob-1\n  selection:\n    User|startswith: 'svc_'\n  condition: not selection\n"
    "---\n"
    "title: broken\nid: broken-1\nlogsource: {product: test}\ndetection:\n  sel:\n    X|nosuchmodifier: 1\n  condition: sel\n";

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static sp_ruleset *compiled(const char *rules_dir, const char *cache_dir, int *cache_state)
{
    sp_sigma_opts o = {NULL, NULL, cache_dir};
    sp_ruleset *rs = NULL;
    sp_error err;
    if (sp_ruleset_new(&o, &rs, &err) != SP_OK) return NULL;
    if (sp_ruleset_add_path(rs, rules_dir, &err) != SP_OK || sp_ruleset_compile(rs, &err) != SP_OK) {
        sp_ruleset_free(rs);
        return NULL;
    }
    sp_ruleset_stats st;
    sp_ruleset_get_stats(rs, &st);
    if (cache_state) *cache_state = st.cache;
    return rs;
}

/* every rule's metadata, every rejection and the stats, as text */
static void describe(const sp_ruleset *rs, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    sp_ruleset_stats st;
    sp_ruleset_get_stats(rs, &st);
    n += (size_t)snprintf(out + n, cap - n, "loaded %zu rejected %zu corr %zu filters %zu lits %zu\n", st.loaded,
                          st.rejected, st.correlations, st.filters, st.literals);
    for (size_t i = 0; i < sp_ruleset_count(rs) && n < cap; i++) {
        const sp_rule_info *r = sp_ruleset_rule(rs, i);
        n += (size_t)snprintf(out + n, cap - n, "%d|%s|%s|%s|%s|%s|%s|%s|%s|%s", r->kind, r->id, r->name, r->title,
                              r->level, r->status, r->product, r->category, r->corr_type, r->file);
        for (size_t k = 0; k < r->ntags && n < cap; k++) n += (size_t)snprintf(out + n, cap - n, "|t:%s", r->tags[k]);
        for (size_t k = 0; k < r->nreferences && n < cap; k++)
            n += (size_t)snprintf(out + n, cap - n, "|r:%s", r->references[k]);
        for (size_t k = 0; k < r->nfalsepositives && n < cap; k++)
            n += (size_t)snprintf(out + n, cap - n, "|f:%s", r->falsepositives[k]);
        if (n < cap) n += (size_t)snprintf(out + n, cap - n, "\n");
    }
    for (size_t i = 0; i < sp_ruleset_rejection_count(rs) && n < cap; i++) {
        sp_rule_rejection j;
        sp_ruleset_rejection(rs, i, &j);
        n += (size_t)snprintf(out + n, cap - n, "rej %s|%s|%s\n", j.file, j.id, j.reason);
    }
}

typedef struct tev { int64_t t; const char *cat; const char *kv[12]; } tev;

static const tev EVENTS[] = {
    {0, "process_creation", {"Image", "C:\\tools\\rar.exe", "CommandLine", "rar a -hpX out.rar", "CurrentDirectory",
                             "C:\\Users\\bob\\", "User", "bob"}},
    {1, "process_creation", {"Image", "C:\\tools\\RAR.EXE", "CommandLine", "rar a -hpX out.rar", "CurrentDirectory",
                             "C:\\Users\\adm_x\\", "User", "adm_x"}},
    {2, "network_connection", {"DestinationIp", "175.45.178.9", "DestinationPort", "443"}},
    {3, "network_connection", {"DestinationIp", "2001:db8::1", "DestinationPort", "8080"}},
    {4, "network_connection", {"DestinationIp", "10.0.0.1", "DestinationPort", "443"}},
    {5, "process_creation", {"Image", "C:\\Windows\\powershell.exe", "CommandLine", "powershell /enc AAAA", "User", "bob"}},
    {6, "process_creation", {"Image", "C:\\Windows\\powershell.exe", "CommandLine", "x", "User", "svc_backup"}},
    {7, NULL, {"Message", "running Mimikatz now", "User", "x"}},
    {8, "process_creation", {"CommandLine", "powershell -e aHR0cDovL2V2aWwuZXhhbXBsZQ==", "User", "u"}},
    {1000, NULL, {"Action", "fail", "User", "u1"}},
    {2000, NULL, {"Action", "fail", "User", "u1"}},
    {3000, NULL, {"Action", "fail", "User", "u1"}},
};

/* the detections of EVENTS, as text */
static void detections(const sp_ruleset *rs, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    sp_scanner *sc = NULL;
    if (sp_scanner_new(rs, &sc) != SP_OK) return;
    for (size_t i = 0; i < sizeof EVENTS / sizeof EVENTS[0] && n < cap; i++) {
        hits h;
        memset(&h, 0, sizeof h);
        g_category = EVENTS[i].cat;
        match_kv_t(sc, EVENTS[i].kv, EVENTS[i].t, "test", &h);
        n += (size_t)snprintf(out + n, cap - n, "%zu:", i);
        for (int k = 0; k < h.n && k < 32 && n < cap; k++)
            n += (size_t)snprintf(out + n, cap - n, " %s/%llu/%s", h.ids[k], (unsigned long long)h.count[k], h.group[k]);
        if (n < cap) n += (size_t)snprintf(out + n, cap - n, "\n");
    }
    g_category = NULL;
    sp_scanner_free(sc);
}

static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d) closedir(d);
    return n;
}

static int count_cache_files(const char *dir) { return count_prefixed(dir, "rules-"); }

static void first_cache_file(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    out[0] = 0;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "rules-", 6)) { snprintf(out, cap, "%s/%s", dir, e->d_name); break; }
    if (d) closedir(d);
}

static void rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) { /* best effort */ }
}

/* root/rules with a.yml and b.yml (RULES_A, RULES_B); their paths */
static void rules_dir(const char *root, char *rules, char *pa, char *pb, size_t cap)
{
    snprintf(rules, cap, "%s/rules", root);
    mkdir(rules, 0700);
    snprintf(pa, cap, "%s/a.yml", rules);
    snprintf(pb, cap, "%s/b.yml", rules);
    put_file(pa, RULES_A);
    put_file(pb, RULES_B);
}

/* invert one byte of an image file, `num/den` of the way into its image
 * (which starts at 64 KB): a damage its CRC must catch */
static void flip_image_byte(const char *path, off_t num, off_t den)
{
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK(st.st_size > 65536 + 4096);
    off_t at = 65536 + (st.st_size - 65536) * num / den;
    int fd = open(path, O_RDWR);
    CHECK(fd >= 0);
    if (fd < 0) return;
    unsigned char b = 0;
    CHECK(pread(fd, &b, 1, at) == 1);
    b = (unsigned char)~b;
    CHECK(pwrite(fd, &b, 1, at) == 1);
    close(fd);
}

TEST(sigma_cache_round_trip_and_fallbacks)
{
    char tmpl[] = "/tmp/spoor-cache-test-XXXXXX";
    char *root = mkdtemp(tmpl);
    CHECK(root != NULL);
    if (!root) return;
    char rules[1200], cache[1100], pa[1200], pb[1200], cf[1400];
    rules_dir(root, rules, pa, pb, sizeof rules);
    snprintf(cache, sizeof cache, "%s/cache/sub", root);   /* created on first write */
    static char d_plain[16384], d1[16384], d2[16384], m_plain[8192], m1[8192], m2[8192];

    /* no cache: the reference */
    int state = -1;
    sp_ruleset *r0 = compiled(rules, NULL, &state);
    CHECK(r0 != NULL);
    if (!r0) { rm_rf(root); return; }
    CHECK_EQ_INT(state, SP_RULE_CACHE_OFF);
    describe(r0, d_plain, sizeof d_plain);
    detections(r0, m_plain, sizeof m_plain);
    sp_ruleset_free(r0);
    CHECK(strstr(d_plain, "rej ") != NULL);          /* the broken rule is rejected */
    CHECK(strstr(m_plain, "0: rar-1") != NULL);      /* the events do fire */
    CHECK(strstr(m_plain, "2: net-1") != NULL);
    CHECK(strstr(m_plain, "3: net-1") != NULL);
    CHECK(strstr(m_plain, "7: kw-1") != NULL);
    CHECK(strstr(m_plain, "brute/3/User=u1") != NULL);
    CHECK(strstr(m_plain, "1: rar") == NULL);        /* the regex filter holds */
    CHECK(strstr(m_plain, "6: glob") == NULL);       /* the Sigma filter holds */

    /* first run writes, the second reads; both equal the reference */
    sp_ruleset *r1 = compiled(rules, cache, &state);
    CHECK(r1 != NULL);
    CHECK_EQ_INT(state, SP_RULE_CACHE_WRITTEN);
    if (r1) { describe(r1, d1, sizeof d1); detections(r1, m1, sizeof m1); sp_ruleset_free(r1); }
    CHECK_EQ_INT(count_cache_files(cache), 1);
    sp_ruleset *r2 = compiled(rules, cache, &state);
    CHECK(r2 != NULL);
    CHECK_EQ_INT(state, SP_RULE_CACHE_READ);
    if (r2) { describe(r2, d2, sizeof d2); detections(r2, m2, sizeof m2); sp_ruleset_free(r2); }
    CHECK_STR(d1, d_plain);
    CHECK_STR(d2, d_plain);
    CHECK_STR(m1, m_plain);
    CHECK_STR(m2, m_plain);

    /* a changed rule file is seen: compiled again, and the change shows */
    char *changed = strdup(RULES_A);
    if (changed) {
        char *lv = strstr(changed, "level: high");
        if (lv) memcpy(lv, "level: low ", 11);
        put_file(pa, changed);
        free(changed);
    }
    r2 = compiled(rules, cache, &state);
    CHECK_EQ_INT(state, SP_RULE_CACHE_WRITTEN);
    if (r2) {
        CHECK_STR(sp_ruleset_rule(r2, 0)->level, "low");
        sp_ruleset_free(r2);
    }
    r2 = compiled(rules, cache, &state);
    CHECK_EQ_INT(state, SP_RULE_CACHE_READ);
    if (r2) {
        CHECK_STR(sp_ruleset_rule(r2, 0)->level, "low");
        sp_ruleset_free(r2);
    }
    /* the same size and the old mtime put back (as `cp -p` or `touch -r`
     * would): the ctime still tells */
    struct stat before;
    CHECK(stat(pa, &before) == 0);
    char *same = strdup(RULES_A);
    if (same) {
        char *lv = strstr(same, "level: high");
        if (lv) memcpy(lv, "level: crit", 11);
        put_file(pa, same);
        free(same);
        struct timespec tv[2] = {before.st_atim, before.st_mtim};
        CHECK(utimensat(AT_FDCWD, pa, tv, 0) == 0);
    }
    r2 = compiled(rules, cache, &state);
    CHECK_EQ_INT(state, SP_RULE_CACHE_WRITTEN);
    if (r2) { CHECK_STR(sp_ruleset_rule(r2, 0)->level, "crit"); sp_ruleset_free(r2); }
    put_file(pa, RULES_A);
    /* a new file in the folder is seen too */
    char pc[1300];
    snprintf(pc, sizeof pc, "%s/c.yml", rules);
    put_file(pc, "title: extra\nid: extra-1\nlogsource: {product: test}\ndetection:\n  sel:\n    Q: 1\n  condition: sel\n");
    r2 = compiled(rules, cache, &state);
    CHECK_EQ_INT(state, SP_RULE_CACHE_WRITTEN);
    if (r2) { CHECK_EQ_INT(sp_ruleset_count(r2), 8); sp_ruleset_free(r2); }
    unlink(pc);

    /* damaged caches are refused and the set is compiled again, same result */
    rm_rf(cache);
    r1 = compiled(rules, cache, &state);
    CHECK_EQ_INT(state, SP_RULE_CACHE_WRITTEN);
    sp_ruleset_free(r1);
    first_cache_file(cache, cf, sizeof cf);
    CHECK(cf[0] != 0);
    struct stat st;
    CHECK(stat(cf, &st) == 0);
    flip_image_byte(cf, 1, 2);
    r2 = compiled(rules, cache, &state);
    CHECK_EQ_INT(state, SP_RULE_CACHE_WRITTEN);
    if (r2) { describe(r2, d2, sizeof d2); detections(r2, m2, sizeof m2); sp_ruleset_free(r2); }
    CHECK_STR(d2, d_plain);
    CHECK_STR(m2, m_plain);
    CHECK(truncate(cf, st.st_size - 100) == 0);   /* the rewritten file, cut short */
    r2 = compiled(rules, cache, &state);
    CHECK_EQ_INT(state, SP_RULE_CACHE_WRITTEN);
    if (r2) { detections(r2, m2, sizeof m2); sp_ruleset_free(r2); }
    CHECK_STR(m2, m_plain);
    CHECK(truncate(cf, 10) == 0);
    r2 = compiled(rules, cache, &state);
    CHECK_EQ_INT(state, SP_RULE_CACHE_WRITTEN);
    sp_ruleset_free(r2);

    /* YAML text added: not cacheable, the files still load in order */
    sp_sigma_opts o = {NULL, NULL, cache};
    sp_ruleset *r3 = NULL;
    sp_error err;
    CHECK(sp_ruleset_new(&o, &r3, &err) == SP_OK);
    if (r3) {
        CHECK(sp_ruleset_add_path(r3, rules, &err) == SP_OK);
        const char *y = "title: inline\nid: inline-1\nlogsource: {product: test}\ndetection:\n  sel:\n    Q: 1\n  condition: sel\n";
        CHECK(sp_ruleset_add_yaml(r3, "inline.yml", y, strlen(y), &err) == SP_OK);
        CHECK(sp_ruleset_compile(r3, &err) == SP_OK);
        sp_ruleset_stats s3;
        sp_ruleset_get_stats(r3, &s3);
        CHECK_EQ_INT(s3.cache, SP_RULE_CACHE_OFF);
        CHECK_EQ_INT(sp_ruleset_count(r3), 8);
        CHECK_STR(sp_ruleset_rule(r3, 7)->id, "inline-1");   /* after the files' rules */
        sp_ruleset_free(r3);
    }

    /* a cache folder that cannot be made: compiled, not written */
    char bad[1300];
    snprintf(bad, sizeof bad, "%s/a.yml/cache", rules);   /* below a regular file */
    r2 = compiled(rules, bad, &state);
    CHECK(r2 != NULL);
    CHECK_EQ_INT(state, SP_RULE_CACHE_UNWRITTEN);
    if (r2) { detections(r2, m2, sizeof m2); sp_ruleset_free(r2); }
    CHECK_STR(m2, m_plain);

    /* a missing rule path is still an error at add_path */
    sp_ruleset *r4 = NULL;
    CHECK(sp_ruleset_new(&o, &r4, &err) == SP_OK);
    if (r4) {
        snprintf(bad, sizeof bad, "%s/nope", root);
        CHECK(sp_ruleset_add_path(r4, bad, &err) != SP_OK);
        sp_ruleset_free(r4);
    }
    rm_rf(root);
}

/* The SigmaHQ set read back from the cache: the same rules and the same
 * verdicts on the events of sigma_modifiers-style key/value lists. */
TEST(sigma_cache_sigmahq)
{
    const char *dd = test_data_dir();
    if (!dd) SKIP("shared datasets absent");
    char p[3][1200];
    const char *sub[] = {"rules", "rules-emerging-threats", "rules-threat-hunting"};
    for (int i = 0; i < 3; i++) snprintf(p[i], sizeof p[i], "%s/sigma/%s", dd, sub[i]);
    struct stat st;
    if (stat(p[0], &st)) SKIP("sigma rules absent");
    char tmpl[] = "/tmp/spoor-cache-hq-XXXXXX";
    char *root = mkdtemp(tmpl);
    CHECK(root != NULL);
    if (!root) return;
    sp_ruleset *rs[3] = {NULL, NULL, NULL};
    int states[3];
    for (int k = 0; k < 3; k++) {   /* plain, written, read */
        sp_sigma_opts o = {NULL, NULL, k ? root : NULL};
        sp_error err;
        CHECK(sp_ruleset_new(&o, &rs[k], &err) == SP_OK);
        for (int i = 0; i < 3 && rs[k]; i++) CHECK(sp_ruleset_add_path(rs[k], p[i], &err) == SP_OK);
        CHECK(rs[k] && sp_ruleset_compile(rs[k], &err) == SP_OK);
        sp_ruleset_stats s;
        if (rs[k]) sp_ruleset_get_stats(rs[k], &s);
        states[k] = rs[k] ? s.cache : -1;
    }
    CHECK_EQ_INT(states[0], SP_RULE_CACHE_OFF);
    CHECK_EQ_INT(states[1], SP_RULE_CACHE_WRITTEN);
    CHECK_EQ_INT(states[2], SP_RULE_CACHE_READ);
    if (rs[0] && rs[2]) {
        static char a[1 << 22], b[1 << 22];
        describe(rs[0], a, sizeof a);
        describe(rs[2], b, sizeof b);
        CHECK(strlen(a) > 100000);
        CHECK(!strcmp(a, b));
        /* a few events SigmaHQ rules fire on, through both */
        static const char *const ev[][12] = {
            {"Image", "C:\\Windows\\System32\\whoami.exe", "CommandLine", "whoami /priv", "ParentImage",
             "C:\\Windows\\System32\\cmd.exe", "OriginalFileName", "whoami.exe"},
            {"Image", "C:\\Windows\\System32\\net.exe", "CommandLine", "net user admin P@ss /add", "OriginalFileName", "net.exe"},
            {"Image", "C:\\Windows\\System32\\rundll32.exe", "CommandLine",
             "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\temp\\lsass.dmp full"},
        };
        for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
            hits h0, h2;
            memset(&h0, 0, sizeof h0);
            memset(&h2, 0, sizeof h2);
            sp_scanner *s0 = NULL, *s2 = NULL;
            sp_scanner_new(rs[0], &s0);
            sp_scanner_new(rs[2], &s2);
            const char *kv[16];
            size_t n = 0;
            for (size_t k = 0; k < 12 && ev[i][k]; k++) kv[n++] = ev[i][k];
            kv[n++] = "EventID"; kv[n++] = "1";
            kv[n++] = "Channel"; kv[n++] = "Microsoft-Windows-Sysmon/Operational";
            kv[n++] = NULL; kv[n] = NULL;
            g_category = NULL;
            match_kv_t(s0, kv, 0, NULL, &h0);
            match_kv_t(s2, kv, 0, NULL, &h2);
            CHECK(h0.n > 0);
            CHECK_EQ_INT(h0.n, h2.n);
            for (int k = 0; k < h0.n && k < 32; k++) CHECK_STR(h0.ids[k], h2.ids[k]);
            sp_scanner_free(s0);
            sp_scanner_free(s2);
        }
    }
    for (int k = 0; k < 3; k++) sp_ruleset_free(rs[k]);
    rm_rf(root);
}

/* Compiled-rules files: written by sp_ruleset_save, read by sp_ruleset_load
 * without any YAML; damaged or foreign files are refused with a reason. */
TEST(sigma_compiled_rules_file)
{
    char tmpl[] = "/tmp/spoor-spc-test-XXXXXX";
    char *root = mkdtemp(tmpl);
    CHECK(root != NULL);
    if (!root) return;
    char rules[1200], pa[1200], pb[1200], spc[1200], junk[1200];
    rules_dir(root, rules, pa, pb, sizeof rules);
    snprintf(spc, sizeof spc, "%s/rules.spc", root);
    snprintf(junk, sizeof junk, "%s/junk.spc", root);
    static char d0[16384], d1[16384], m0[8192], m1[8192];
    sp_ruleset *r0 = compiled(rules, NULL, NULL);
    CHECK(r0 != NULL);
    if (!r0) { rm_rf(root); return; }
    describe(r0, d0, sizeof d0);
    detections(r0, m0, sizeof m0);
    sp_error err;
    CHECK(sp_ruleset_save(r0, spc, &err) == SP_OK);
    sp_ruleset_free(r0);
    /* the rule files change afterwards: the file keeps what was compiled */
    put_file(pa, "title: other\nid: other-1\nlogsource: {product: test}\ndetection:\n  sel:\n    Q: 1\n  condition: sel\n");
    sp_ruleset *r1 = NULL;
    CHECK(sp_ruleset_load(spc, NULL, &r1, &err) == SP_OK);
    if (r1) {
        sp_ruleset_stats st;
        sp_ruleset_get_stats(r1, &st);
        CHECK_EQ_INT(st.cache, SP_RULE_CACHE_FILE);
        describe(r1, d1, sizeof d1);
        detections(r1, m1, sizeof m1);
        CHECK_STR(d1, d0);
        CHECK_STR(m1, m0);
        /* a loaded set can be saved again, and loaded again (twice at once) */
        CHECK(sp_ruleset_save(r1, junk, &err) == SP_OK);
        sp_ruleset *r2 = NULL;
        CHECK(sp_ruleset_load(junk, NULL, &r2, &err) == SP_OK);
        if (r2) { detections(r2, m1, sizeof m1); CHECK_STR(m1, m0); sp_ruleset_free(r2); }
        sp_ruleset_free(r1);
    }
    /* with a cache folder: a file whose CRC checked out once is remembered
     * there, and the same file loads again from the memo (same detections) */
    char vdir[1300];
    snprintf(vdir, sizeof vdir, "%s/verified", root);
    sp_sigma_opts vo = {NULL, NULL, vdir};
    sp_ruleset *v1 = NULL;
    CHECK(sp_ruleset_load(spc, &vo, &v1, &err) == SP_OK);
    sp_ruleset_free(v1);
    CHECK_EQ_INT(count_prefixed(vdir, "verified-"), 1);
    v1 = NULL;
    CHECK(sp_ruleset_load(spc, &vo, &v1, &err) == SP_OK);
    if (v1) { detections(v1, m1, sizeof m1); CHECK_STR(m1, m0); sp_ruleset_free(v1); }
    CHECK_EQ_INT(count_prefixed(vdir, "verified-"), 1);
    /* noting a memo prunes the folder: the 8 newest images and the 32
     * newest memos stay (here 40 old memos and 10 old images were there) */
    char crowd[1300], fake[1400];
    snprintf(crowd, sizeof crowd, "%s/crowded", root);
    mkdir(crowd, 0700);
    for (int k = 0; k < 50; k++) {
        if (k < 40) snprintf(fake, sizeof fake, "%s/verified-%016x", crowd, k);
        else snprintf(fake, sizeof fake, "%s/rules-%016x.spc", crowd, k);
        put_file(fake, "");
        struct timespec old_t[2] = {{1000000 + k, 0}, {1000000 + k, 0}};
        CHECK(utimensat(AT_FDCWD, fake, old_t, 0) == 0);
    }
    sp_sigma_opts co = {NULL, NULL, crowd};
    v1 = NULL;
    CHECK(sp_ruleset_load(spc, &co, &v1, &err) == SP_OK);
    sp_ruleset_free(v1);
    CHECK_EQ_INT(count_prefixed(crowd, "verified-"), 32);
    CHECK_EQ_INT(count_cache_files(crowd), 8);
    snprintf(fake, sizeof fake, "%s/verified-%016x", crowd, 39);   /* the newest old memo stays */
    CHECK(access(fake, F_OK) == 0);
    snprintf(fake, sizeof fake, "%s/verified-%016x", crowd, 8);    /* the 32nd newest old one goes */
    CHECK(access(fake, F_OK) != 0);
    /* refusals, each with a reason naming what is wrong */
    sp_ruleset *bad = NULL;
    put_file(junk, "title: not compiled\n");
    CHECK(sp_ruleset_load(junk, NULL, &bad, &err) == SP_ERR_FORMAT);
    CHECK(bad == NULL);
    CHECK(strstr(err.msg, "not a spoor compiled-rules file") != NULL);
    struct stat st;
    CHECK(stat(spc, &st) == 0);
    flip_image_byte(spc, 1, 3);
    CHECK(sp_ruleset_load(spc, NULL, &bad, &err) == SP_ERR_FORMAT);
    CHECK(strstr(err.msg, "damaged") != NULL);
    /* the memo is of the file as it was: changed since (its change time
     * moved, even with size and modification time put back), it is checked
     * again and refused */
    struct timespec back[2] = {st.st_atim, st.st_mtim};
    CHECK(utimensat(AT_FDCWD, spc, back, 0) == 0);
    CHECK(sp_ruleset_load(spc, &vo, &bad, &err) == SP_ERR_FORMAT);
    CHECK(strstr(err.msg, "damaged") != NULL);
    CHECK(bad == NULL);
    CHECK(truncate(spc, st.st_size / 2) == 0);
    CHECK(sp_ruleset_load(spc, NULL, &bad, &err) == SP_ERR_FORMAT);
    CHECK(strstr(err.msg, "damaged") != NULL);
    snprintf(junk, sizeof junk, "%s/missing.spc", root);
    CHECK(sp_ruleset_load(junk, NULL, &bad, &err) == SP_ERR_IO);
    /* an uncompiled set is not saved */
    sp_ruleset *un = NULL;
    CHECK(sp_ruleset_new(NULL, &un, &err) == SP_OK);
    if (un) { CHECK(sp_ruleset_save(un, junk, &err) == SP_ERR_ARG); sp_ruleset_free(un); }
    rm_rf(root);
}
