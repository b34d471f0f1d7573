/* test_sigma_modifiers.c — Sigma value modifiers, wildcards, escaping, null,
 * numbers (semantics from the Sigma spec v2.1.0 and pySigma's tests). */
#include <unistd.h>
#include "test.h"
#include "sigma_util.h"
#include "sigma/sigma.h"   /* sg_regex_literal */

TEST(sigma_plain_equality_case_insensitive)
{
    const char *r = RULE("  sel:\n    Image: 'C:\\Windows\\cmd.exe'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("Image", "c:\\windows\\CMD.EXE")), 1);
    CHECK_EQ_INT(hits_of(r, KV("Image", "c:\\windows\\cmd.exe2")), 0);
    CHECK_EQ_INT(hits_of(r, KV("Other", "c:\\windows\\cmd.exe")), 0);
}

TEST(sigma_cased)
{
    const char *r = RULE("  sel:\n    Image|cased: 'CMD.exe'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("Image", "CMD.exe")), 1);
    CHECK_EQ_INT(hits_of(r, KV("Image", "cmd.exe")), 0);
    const char *r2 = RULE("  sel:\n    Image|contains|cased: 'Power'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r2, KV("Image", "xPowerShell")), 1);
    CHECK_EQ_INT(hits_of(r2, KV("Image", "xpowershell")), 0);
}

TEST(sigma_wildcards)
{
    const char *r = RULE("  sel:\n    F: 'ab*cd?f'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("F", "abXXcdEf")), 1);
    CHECK_EQ_INT(hits_of(r, KV("F", "abcdef")), 1);
    CHECK_EQ_INT(hits_of(r, KV("F", "abcdf")), 0);
    CHECK_EQ_INT(hits_of(r, KV("F", "ABzCDéF")), 1);   /* ? is one UTF-8 character */
    const char *r2 = RULE("  sel:\n    F: '*'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r2, KV("F", "")), 1);
    CHECK_EQ_INT(hits_of(r2, KV("G", "x")), 0);
}

TEST(sigma_escaped_wildcards)
{
    /* \* is a plain star, \? a plain question mark, \\ one backslash */
    const char *r = RULE("  sel:\n    F: 'a\\*b'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("F", "a*b")), 1);
    CHECK_EQ_INT(hits_of(r, KV("F", "axxb")), 0);
    const char *r2 = RULE("  sel:\n    F: 'what\\?'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r2, KV("F", "what?")), 1);
    CHECK_EQ_INT(hits_of(r2, KV("F", "whatx")), 0);
    /* \\* : a backslash followed by a wildcard */
    const char *r3 = RULE("  sel:\n    F: 'dir\\\\*'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r3, KV("F", "dir\\anything")), 1);
    CHECK_EQ_INT(hits_of(r3, KV("F", "dirx")), 0);
    /* \\\* : a backslash and a plain star */
    const char *r4 = RULE("  sel:\n    F: 'dir\\\\\\*'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r4, KV("F", "dir\\*")), 1);
    CHECK_EQ_INT(hits_of(r4, KV("F", "dir\\x")), 0);
    /* a single backslash before a normal character stays */
    const char *r5 = RULE("  sel:\n    F|endswith: '\\cmd.exe'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r5, KV("F", "C:\\x\\cmd.exe")), 1);
    CHECK_EQ_INT(hits_of(r5, KV("F", "C:\\xcmd.exe")), 0);
}

TEST(sigma_contains_startswith_endswith)
{
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    F|contains: 'mimi'\n  condition: sel\n"), KV("F", "xxMIMIkatz")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    F|startswith: 'mimi'\n  condition: sel\n"), KV("F", "xxmimikatz")), 0);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    F|startswith: 'mimi'\n  condition: sel\n"), KV("F", "Mimikatz")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    F|endswith: 'katz'\n  condition: sel\n"), KV("F", "MimiKATZ")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    F|endswith: 'katz'\n  condition: sel\n"), KV("F", "katz.exe")), 0);
    /* contains with an inner wildcard */
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    F|contains: 'a*z'\n  condition: sel\n"), KV("F", "xxabcz!")), 1);
}

TEST(sigma_lists_or_and_all)
{
    const char *r = RULE("  sel:\n    F|contains:\n      - one\n      - two\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("F", "has two")), 1);
    CHECK_EQ_INT(hits_of(r, KV("F", "three")), 0);
    const char *a = RULE("  sel:\n    F|contains|all:\n      - one\n      - two\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(a, KV("F", "two and one")), 1);
    CHECK_EQ_INT(hits_of(a, KV("F", "only one")), 0);
}

TEST(sigma_null_empty_missing)
{
    const char *rn = RULE("  sel:\n    F: null\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(rn, KV("G", "x")), 1);          /* missing */
    CHECK_EQ_INT(hits_of(rn, KV("F", NULL)), 1);         /* present, null */
    CHECK_EQ_INT(hits_of(rn, KV("F", "")), 1);           /* present, empty */
    CHECK_EQ_INT(hits_of(rn, KV("F", "v")), 0);
    const char *re = RULE("  sel:\n    F: ''\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(re, KV("F", "")), 1);
    CHECK_EQ_INT(hits_of(re, KV("G", "x")), 0);          /* missing is not empty */
    CHECK_EQ_INT(hits_of(re, KV("F", "v")), 0);
    const char *nn = RULE("  sel:\n    A: x\n  f:\n    F: null\n  condition: sel and not f\n");
    CHECK_EQ_INT(hits_of(nn, KV("A", "x", "F", "set")), 1);
    CHECK_EQ_INT(hits_of(nn, KV("A", "x")), 0);
}

TEST(sigma_exists)
{
    const char *t = RULE("  sel:\n    F|exists: true\n  condition: sel\n");
    const char *f = RULE("  sel:\n    F|exists: false\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(t, KV("F", "")), 1);
    CHECK_EQ_INT(hits_of(t, KV("G", "x")), 0);
    CHECK_EQ_INT(hits_of(f, KV("G", "x")), 1);
    CHECK_EQ_INT(hits_of(f, KV("F", NULL)), 0);
    CHECK(strstr(reject_reason(RULE("  sel:\n    F|exists: maybe\n  condition: sel\n")), "exists"));
}

TEST(sigma_numbers_vs_strings)
{
    const char *r = RULE("  sel:\n    EventID: 4624\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("EventID", "4624")), 1);   /* typed integer (typed_ints) */
    CHECK_EQ_INT(hits_of(r, KV("EventID", "4625")), 0);
    CHECK_EQ_INT(hits_of(r, KV("EventID", "04624")), 1);  /* numerically equal typed int */
    /* the text form also matches (string field) */
    const char *q = RULE("  sel:\n    EventID: '4624'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(q, KV("EventID", "4624")), 1);
    const char *lst = RULE("  sel:\n    EventID:\n      - 1\n      - 2\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(lst, KV("EventID", "2")), 1);
}

TEST(sigma_numeric_compare)
{
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    N|gt: 10\n  condition: sel\n"), KV("N", "11")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    N|gt: 10\n  condition: sel\n"), KV("N", "10")), 0);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    N|gte: 10\n  condition: sel\n"), KV("N", "10")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    N|lt: 10\n  condition: sel\n"), KV("N", "9.5")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    N|lte: 10\n  condition: sel\n"), KV("N", "0x0a")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    N|lte: 10\n  condition: sel\n"), KV("N", "abc")), 0);
    CHECK(strstr(reject_reason(RULE("  sel:\n    N|gt: abc\n  condition: sel\n")), "number"));
}

TEST(sigma_neq)
{
    const char *r = RULE("  sel:\n    F|neq: a\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("F", "b")), 1);
    CHECK_EQ_INT(hits_of(r, KV("F", "A")), 0);
    CHECK_EQ_INT(hits_of(r, KV("G", "b")), 0);   /* missing field is not "different" */
    const char *l = RULE("  sel:\n    F|neq:\n      - a\n      - b\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(l, KV("F", "b")), 0);
    CHECK_EQ_INT(hits_of(l, KV("F", "c")), 1);
}

TEST(sigma_regex)
{
    const char *r = RULE("  sel:\n    F|re: '^ab+c$'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("F", "abbbc")), 1);
    CHECK_EQ_INT(hits_of(r, KV("F", "ABBC")), 0);      /* case-sensitive by default */
    const char *ri = RULE("  sel:\n    F|re|i: '^ab+c$'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(ri, KV("F", "ABBC")), 1);
    const char *rm = RULE("  sel:\n    F|re|m: '^second$'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(rm, KV("F", "first\nsecond\nthird")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    F|re: '^second$'\n  condition: sel\n"), KV("F", "first\nsecond")), 0);
    const char *rs = RULE("  sel:\n    F|re|s: 'a.b'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(rs, KV("F", "a\nb")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    F|re: 'a.b'\n  condition: sel\n"), KV("F", "a\nb")), 0);
    CHECK(strstr(reject_reason(RULE("  sel:\n    F|re: 'a(b'\n  condition: sel\n")), "regular expression"));
}

TEST(sigma_base64)
{
    /* base64("cmd") = Y21k */
    const char *r = RULE("  sel:\n    F|base64|contains: 'cmd'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("F", "xxY21kxx")), 1);
    CHECK_EQ_INT(hits_of(r, KV("F", "xxy21kxx")), 1);   /* case-insensitive like any value */
    const char *rc = RULE("  sel:\n    F|base64|contains|cased: 'cmd'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(rc, KV("F", "xxy21kxx")), 0);
}

TEST(sigma_base64offset_three_shifts)
{
    /* 'http' at offsets 0, 1, 2 of a base64 stream: aHR0c / h0dH / odHRw */
    const char *r = RULE("  sel:\n    F|base64offset|contains|cased: 'http'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("F", "aHR0cHM6Ly9leGFtcGxl")), 1);   /* "https://example" */
    CHECK_EQ_INT(hits_of(r, KV("F", "eGh0dHBz")), 1);               /* "xhttps" */
    CHECK_EQ_INT(hits_of(r, KV("F", "eHhodHRwcw==")), 1);           /* "xxhttps" */
    CHECK_EQ_INT(hits_of(r, KV("F", "ZnRwOi8v")), 0);               /* "ftp://" */
}

TEST(sigma_utf16_wide)
{
    /* wide + base64: 'cmd' as UTF-16LE = 63 00 6d 00 64 00 -> YwBtAGQA */
    const char *r = RULE("  sel:\n    F|wide|base64|contains|cased: 'cmd'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("F", "..YwBtAGQA..")), 1);
    /* utf16be: 00 63 00 6d 00 64 -> AGMAbQBk */
    const char *b = RULE("  sel:\n    F|utf16be|base64|cased: 'cmd'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(b, KV("F", "AGMAbQBk")), 1);
    /* utf16: BOM FF FE + LE -> //5jAG0AZAA= */
    const char *u = RULE("  sel:\n    F|utf16|base64|cased: 'cmd'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(u, KV("F", "//5jAG0AZAA=")), 1);
    const char *l = RULE("  sel:\n    F|utf16le|base64offset|contains|cased: 'cmd'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(l, KV("F", "xYwBtAGQAx")), 1);
}

TEST(sigma_windash_all_five)
{
    const char *r = RULE("  sel:\n    CommandLine|windash|contains: ' -exec '\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "ps -exec bypass")), 1);
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "ps /exec bypass")), 1);
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "ps \xe2\x80\x93" "exec bypass")), 1);  /* en dash */
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "ps \xe2\x80\x94" "exec bypass")), 1);  /* em dash */
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "ps \xe2\x80\x95" "exec bypass")), 1);  /* horizontal bar */
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "ps +exec bypass")), 0);
    /* a dash inside a word is not a flag dash */
    const char *w = RULE("  sel:\n    F|windash: 'foo-bar'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(w, KV("F", "foo-bar")), 1);
    CHECK_EQ_INT(hits_of(w, KV("F", "foo/bar")), 0);
    /* a rule written with a slash matches the dash form too */
    const char *s = RULE("  sel:\n    F|windash|contains: '/c '\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(s, KV("F", "cmd -c whoami")), 1);
}

TEST(sigma_cidr)
{
    const char *r4 = RULE("  sel:\n    Ip|cidr: '10.0.0.0/8'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r4, KV("Ip", "10.20.30.40")), 1);
    CHECK_EQ_INT(hits_of(r4, KV("Ip", "11.0.0.1")), 0);
    CHECK_EQ_INT(hits_of(r4, KV("Ip", "::ffff:10.1.2.3")), 1);
    CHECK_EQ_INT(hits_of(r4, KV("Ip", "not an ip")), 0);
    const char *r6 = RULE("  sel:\n    Ip|cidr: '2001:db8::/32'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r6, KV("Ip", "2001:db8:1::5")), 1);
    CHECK_EQ_INT(hits_of(r6, KV("Ip", "2001:db9::1")), 0);
    CHECK_EQ_INT(hits_of(r6, KV("Ip", "10.0.0.1")), 0);
    const char *r7 = RULE("  sel:\n    Ip|cidr: 'fe80::/10'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r7, KV("Ip", "fe80::1%eth0")), 1);
    CHECK_EQ_INT(hits_of(r7, KV("Ip", "febf::1")), 1);
    CHECK_EQ_INT(hits_of(r7, KV("Ip", "fec0::1")), 0);
    CHECK(strstr(reject_reason(RULE("  sel:\n    Ip|cidr: '10.0.0.0/33'\n  condition: sel\n")), "cidr"));
}

TEST(sigma_fieldref)
{
    const char *r = RULE("  sel:\n    A|fieldref: B\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("A", "same", "B", "SAME")), 1);
    CHECK_EQ_INT(hits_of(r, KV("A", "one", "B", "two")), 0);
    CHECK_EQ_INT(hits_of(r, KV("A", "one")), 0);
    const char *n = RULE("  sel:\n    A|fieldref|neq: B\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(n, KV("A", "one", "B", "two")), 1);
    CHECK_EQ_INT(hits_of(n, KV("A", "one", "B", "one")), 0);
    const char *s = RULE("  sel:\n    A|fieldref|startswith: B\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(s, KV("A", "prefix-rest", "B", "prefix")), 1);
}

TEST(sigma_time_modifiers)
{
    const char *h = RULE("  sel:\n    T|hour: 3\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(h, KV("T", "2024-05-06T03:04:05.123Z")), 1);
    CHECK_EQ_INT(hits_of(h, KV("T", "2024-05-06 04:04:05")), 0);
    const char *g = RULE("  sel:\n    T|hour|gte: 22\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(g, KV("T", "2024-05-06T23:00:00Z")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    T|minute: 4\n  condition: sel\n"), KV("T", "2024-05-06T03:04:05Z")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    T|day: 6\n  condition: sel\n"), KV("T", "2024-05-06T03:04:05Z")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    T|month: 5\n  condition: sel\n"), KV("T", "2024-05-06T03:04:05Z")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    T|year: 2024\n  condition: sel\n"), KV("T", "2024-05-06T03:04:05Z")), 1);
    /* ISO weeks: 2024-01-01 is a Monday of week 1; 2021-01-03 belongs to week 53 of 2020 */
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    T|week: 1\n  condition: sel\n"), KV("T", "2024-01-01T00:00:00Z")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    T|week: 53\n  condition: sel\n"), KV("T", "2021-01-03T00:00:00Z")), 1);
    CHECK_EQ_INT(hits_of(RULE("  sel:\n    T|week: 19\n  condition: sel\n"), KV("T", "2024-05-06T03:04:05Z")), 1);
}

TEST(sigma_expand_placeholders)
{
    const char *rule = RULE("  sel:\n    User|expand: '%admins%'\n  condition: sel\n");
    CHECK(strstr(reject_reason(rule), "placeholder %admins%"));
    char path[] = "/tmp/spoor_ph_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    const char *cfg = "placeholders:\n  admins:\n    - root\n    - 'adm_*'\n";
    CHECK(write(fd, cfg, strlen(cfg)) == (ssize_t)strlen(cfg));
    close(fd);
    sp_ruleset *rs = rs_from(rule, path);
    CHECK(rs != NULL);
    if (rs) {
        sp_scanner *sc = NULL;
        CHECK(sp_scanner_new(rs, &sc) == SP_OK);
        hits h;
        memset(&h, 0, sizeof h);
        match_kv_t(sc, KV("User", "ROOT"), 0, "test", &h);
        match_kv_t(sc, KV("User", "adm_bob"), 0, "test", &h);
        match_kv_t(sc, KV("User", "bob"), 0, "test", &h);
        CHECK_EQ_INT(h.n, 2);
        sp_scanner_free(sc);
        sp_ruleset_free(rs);
    }
    /* a placeholder absent from the config is rejected by name */
    sp_ruleset *r2 = NULL;
    sp_error err;
    sp_sigma_opts o = {NULL, path, NULL};
    CHECK(sp_ruleset_new(&o, &r2, &err) == SP_OK);
    const char *y = RULE("  sel:\n    User|expand: '%nope%'\n  condition: sel\n");
    sp_ruleset_add_yaml(r2, "x.yml", y, strlen(y), &err);
    sp_ruleset_compile(r2, &err);
    sp_rule_rejection rj;
    CHECK(sp_ruleset_rejection(r2, 0, &rj) == 0 && strstr(rj.reason, "%nope%"));
    sp_ruleset_free(r2);
    unlink(path);
}

TEST(sigma_keywords)
{
    const char *r = "title: t\nid: k\nlogsource: {product: test}\ndetection:\n  keywords:\n    - 'event::clear'\n    - 'drop'\n  condition: keywords\n";
    CHECK_EQ_INT(hits_of(r, KV("A", "x", "B", "mimikatz EVENT::Clear now")), 1);
    CHECK_EQ_INT(hits_of(r, KV("A", "none")), 0);
    const char *a = "title: t\nid: k\nlogsource: {product: test}\ndetection:\n  kw:\n    '|all':\n      - 'OabVirtualDirectory'\n      - ' -ExternalUrl '\n  condition: kw\n";
    CHECK_EQ_INT(hits_of(a, KV("A", "Set-OabVirtualDirectory", "B", "x -ExternalUrl y")), 1);
    CHECK_EQ_INT(hits_of(a, KV("A", "Set-OabVirtualDirectory")), 0);
}

TEST(sigma_unknown_modifier_rejected)
{
    const char *why = reject_reason(RULE("  sel:\n    F|bogus: x\n  condition: sel\n"));
    CHECK(strstr(why, "unknown modifier 'bogus'") != NULL);
    CHECK(strstr(why, "sel") != NULL);
}

/* the literal a regex's matches must contain (sigma_relit.c): wrong here
 * would silently lose detections, so the conservative cases are pinned */
static const char *relit(const char *re, int caseless)
{
    static char out[256];
    size_t n = sg_regex_literal(re, strlen(re), caseless, 3, out, sizeof out - 1);
    out[n] = 0;
    return out;
}

TEST(sigma_regex_literal)
{
    CHECK_STR(relit("ipconfig\\s+/all", 0), "ipconfig");
    CHECK_STR(relit("net\\s+stop SuperBackupMan", 0), "stop superbackupman");
    CHECK_STR(relit("abcd?efgh", 0), "efgh");           /* d optional */
    CHECK_STR(relit("abcd*", 0), "abc");
    CHECK_STR(relit("abcd{0,3}xy", 0), "abc");
    CHECK_STR(relit("abcd+efghi", 0), "efghi");         /* d kept, run ends */
    CHECK_STR(relit("xabcd+ef", 0), "xabcd");
    CHECK_STR(relit("ab+", 0), "");                     /* "ab" too short */
    CHECK_STR(relit("cmd|powershell", 0), "");          /* top-level alternation */
    CHECK_STR(relit("(cmd|powershell)\\.exe", 0), ".exe");
    CHECK_STR(relit("(?x)abc def", 0), "");             /* extended: no literal */
    CHECK_STR(relit("\\Qa.b\\E", 0), "");
    CHECK_STR(relit("\\x41\\x42CDE", 0), "cde");        /* escape arguments are not text */
    CHECK_STR(relit("\\p{L}xyz", 0), "xyz");
    CHECK_STR(relit("\\cAbcd", 0), "bcd");
    CHECK_STR(relit("a\\.exe\\\\b", 0), "a.exe\\b");
    CHECK_STR(relit("[abc]def[g]", 0), "def");
    CHECK_STR(relit("[[:alpha:]]]xyz", 0), "xyz");        /* a POSIX class inside a class */
    CHECK_STR(relit("[]abc]defg", 0), "defg");            /* a leading ] is literal */
    CHECK_STR(relit("abc[[:al", 0), "abc");               /* unterminated: the rest is skipped */
    CHECK_STR(relit("(?i)shutdown", 0), "hutdown");     /* caseless: s and k end runs */
    CHECK_STR(relit("shutdown", 1), "hutdown");
    CHECK_STR(relit("shutdown", 0), "shutdown");
    CHECK_STR(relit("(?-i)shutdown", 0), "shutdown");
    CHECK_STR(relit("caf\xc3\xa9s", 0), "caf");         /* non-ASCII ends runs */
    CHECK_STR(relit("^abc$", 0), "abc");
    CHECK_STR(relit("", 0), "");
    /* and a rule with it matches exactly as the regex does */
    const char *r = RULE("  sel:\n    CommandLine|re: 'ipconfig\\s+/all'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "ipconfig   /all")), 1);
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "IPCONFIG /all")), 0);    /* case-sensitive regex */
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "ipconfig")), 0);
    CHECK_EQ_INT(hits_of(r, KV("Other", "x", "CommandLine", "ipconfig /all")), 1);
    const char *ri = RULE("  sel:\n    CommandLine|re|i: 'SHUTDOWN\\s+/r'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(ri, KV("CommandLine", "shutdown /r")), 1);
    CHECK_EQ_INT(hits_of(ri, KV("CommandLine", "\xc5\xbfhutdown /r")), 1);   /* LONG S folds to s */
}

/* rules that need a non-ASCII value are skipped on pure-ASCII events, and
 * still match where the value is (any field, keyword, array element) */
TEST(sigma_non_ascii_values)
{
    const char *r = RULE("  sel:\n    CommandLine|contains:\n      - \"\xf0\x9f\x98\x80\"\n      - \"\xd0\xb0\"\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "cmd /c echo hi")), 0);
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "cmd /c echo \xf0\x9f\x98\x80")), 1);
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "p\xd0\xb0ssword")), 1);        /* Cyrillic a, 2 bytes */
    CHECK_EQ_INT(hits_of(r, KV("Other", "\xd0\xb0", "CommandLine", "x")), 0);
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "x", "CommandLine", "\xd0\xb0")), 1);
    const char *r2 = RULE("  sel:\n    Image|endswith: '\\\\cmd.exe'\n  emoji:\n    CommandLine|contains: \"\xd0\xb0\"\n  condition: sel and emoji\n");
    CHECK_EQ_INT(hits_of(r2, KV("Image", "C:\\cmd.exe", "CommandLine", "\xd0\xb0")), 1);
    CHECK_EQ_INT(hits_of(r2, KV("Image", "C:\\cmd.exe", "CommandLine", "a")), 0);
    const char *r3 = RULE("  kw:\n    - \"\xd0\xb0\xd0\xb0\"\n  condition: kw\n");
    CHECK_EQ_INT(hits_of(r3, KV("A", "x", "B", "y\xd0\xb0\xd0\xb0")), 1);
    CHECK_EQ_INT(hits_of(r3, KV("A", "x", "B", "y")), 0);
    const char *r4 = RULE("  sel:\n    CommandLine|contains: \"\xd0\xb0\"\n  other:\n    Image: x\n  condition: sel or other\n");
    CHECK_EQ_INT(hits_of(r4, KV("Image", "x", "CommandLine", "a")), 1);        /* an ASCII way to match */
}

/* case folding of long values (16 bytes at a time) folds A-Z only */
TEST(sigma_case_fold_long_values)
{
    const char *r = RULE("  sel:\n    CommandLine|contains: 'prefix-abcdefghijklmnopqrstuvwxyz@[`{-0123456789-suffix'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "x PREFIX-ABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{-0123456789-SUFFIX y")), 1);
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "x prefix-abcdefghijklmnopqrstuvwxyz`{`{-0123456789-suffix y")), 0);   /* @[ are not `{ */
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "x prefix-abcdefghijklmnopqrstuvwxyz@[`{-0123456789-suffi\xc3\x89 y")), 0);
    const char *r2 = RULE("  sel:\n    CommandLine|contains: \"\xc3\xa9t\xc3\xa9-long-value-after-16-bytes\"\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r2, KV("CommandLine", "0123456789abcdef\xc3\xa9T\xc3\xa9-LONG-value-after-16-bytes")), 1);
    CHECK_EQ_INT(hits_of(r2, KV("CommandLine", "0123456789abcdef\xc3\x89T\xc3\x89-LONG-value-after-16-bytes")), 0);   /* non-ASCII is not folded */
}

/* A route's keyword literals are few: each is searched on its own, sixteen
 * positions at a time (sigma_prefilter.c, contains()).  Every offset and
 * length around the block edges, near misses (first and last byte right,
 * middle wrong) and the value's very end. */
TEST(sigma_keyword_search_offsets)
{
    const char *rule = RULE("  keywords:\n    - 'mimikatz'\n    - 'ab'\n    - 'sekurlsa::logonpasswords'\n  condition: keywords\n");
    static const char *const kw[] = {"mimikatz", "sekurlsa::logonpasswords"};
    char v[128];
    for (int k = 0; k < 2; k++) {
        size_t m = strlen(kw[k]);
        for (size_t len = m; len < 70; len++)
            for (size_t at = 0; at + m <= len; at += (len > 40 ? 3 : 1)) {
                memset(v, 'x', len);
                v[len] = 0;
                memcpy(v + at, kw[k], m);
                if (hits_of(rule, KV("Message", v)) != 1) { CHECK(!"keyword not found"); printf("  %s at %zu of %zu\n", kw[k], at, len); return; }
                v[at + m / 2] = 'Q';   /* near miss: ends right, middle wrong */
                if (hits_of(rule, KV("Message", v)) != 0) { CHECK(!"near miss matched"); printf("  %s at %zu of %zu\n", kw[k], at, len); return; }
            }
    }
    CHECK_EQ_INT(hits_of(rule, KV("Message", "MIMIKATZ")), 1);           /* case-insensitive */
    CHECK_EQ_INT(hits_of(rule, KV("Message", "xxxxxxxxxxxxxxxxxxxab")), 1);  /* 2 bytes at the end */
    CHECK_EQ_INT(hits_of(rule, KV("Message", "a")), 0);
    CHECK_EQ_INT(hits_of(rule, KV("Message", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxa")), 0);
}
