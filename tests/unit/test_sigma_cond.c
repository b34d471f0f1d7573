/* test_sigma_cond.c — conditions: and/or/not, precedence, parentheses,
 * x of, them, globs, underscore identifiers, condition lists, rejections,
 * and multi-document / metadata handling. */
#include "test.h"
#include "sigma_util.h"

#define SELS "  a:\n    A: 1\n  b:\n    B: 1\n  c:\n    C: 1\n"

static int ev3(const char *cond, int a, int b, int c)
{
    char rule[1024];
    snprintf(rule, sizeof rule, "title: t\nid: r\nlogsource: {product: test}\ndetection:\n" SELS "  condition: %s\n", cond);
    return hits_of(rule, KV("A", a ? "1" : "0", "B", b ? "1" : "0", "C", c ? "1" : "0"));
}

TEST(sigma_cond_precedence)
{
    /* not > and > or */
    for (int m = 0; m < 8; m++) {
        int a = m & 1, b = (m >> 1) & 1, c = (m >> 2) & 1;
        CHECK_EQ_INT(ev3("a or b and c", a, b, c), a || (b && c));
        CHECK_EQ_INT(ev3("not a and b", a, b, c), (!a) && b);
        CHECK_EQ_INT(ev3("not (a and b) or c", a, b, c), !(a && b) || c);
        CHECK_EQ_INT(ev3("(a or b) and not c", a, b, c), (a || b) && !c);
        CHECK_EQ_INT(ev3("a and not not b", a, b, c), a && b);
        CHECK_EQ_INT(ev3("a or b or c", a, b, c), a || b || c);
    }
}

TEST(sigma_cond_x_of)
{
    const char *base = "title: t\nid: r\nlogsource: {product: test}\ndetection:\n"
                       "  sel_1:\n    A: 1\n  sel_2:\n    B: 1\n  _private:\n    C: 1\n  condition: %s\n";
    char r[1024];
    snprintf(r, sizeof r, base, "1 of sel_*");
    CHECK_EQ_INT(hits_of(r, KV("A", "1", "B", "0")), 1);
    CHECK_EQ_INT(hits_of(r, KV("A", "0", "B", "0")), 0);
    snprintf(r, sizeof r, base, "all of sel_*");
    CHECK_EQ_INT(hits_of(r, KV("A", "1", "B", "0")), 0);
    CHECK_EQ_INT(hits_of(r, KV("A", "1", "B", "1")), 1);
    /* them excludes identifiers starting with '_' */
    snprintf(r, sizeof r, base, "all of them");
    CHECK_EQ_INT(hits_of(r, KV("A", "1", "B", "1", "C", "0")), 1);
    snprintf(r, sizeof r, base, "1 of them");
    CHECK_EQ_INT(hits_of(r, KV("A", "0", "B", "0", "C", "1")), 0);
    snprintf(r, sizeof r, base, "_private");
    CHECK_EQ_INT(hits_of(r, KV("C", "1")), 1);
    snprintf(r, sizeof r, base, "1 of sel_* and not 1 of _priv*");
    CHECK_EQ_INT(hits_of(r, KV("A", "1", "C", "1")), 0);
    CHECK_EQ_INT(hits_of(r, KV("A", "1", "C", "0")), 1);
    snprintf(r, sizeof r, base, "any of sel_*");
    CHECK_EQ_INT(hits_of(r, KV("B", "1")), 1);
}

TEST(sigma_cond_list_is_or)
{
    const char *r = "title: t\nid: r\nlogsource: {product: test}\ndetection:\n" SELS
                    "  condition:\n    - a and b\n    - c\n";
    CHECK_EQ_INT(hits_of(r, KV("A", "1", "B", "1", "C", "0")), 1);
    CHECK_EQ_INT(hits_of(r, KV("A", "1", "B", "0", "C", "1")), 1);
    CHECK_EQ_INT(hits_of(r, KV("A", "1", "B", "0", "C", "0")), 0);
}

TEST(sigma_list_of_maps)
{
    const char *r = RULE("  sel:\n    - Image|endswith: '\\example.exe'\n    - Description|contains: 'Test executable'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("Image", "c:\\example.exe")), 1);
    CHECK_EQ_INT(hits_of(r, KV("Description", "a test executable b")), 1);
    CHECK_EQ_INT(hits_of(r, KV("Image", "c:\\other.exe")), 0);
    const char *m = RULE("  sel:\n    A: x\n    B: y\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(m, KV("A", "x", "B", "y")), 1);
    CHECK_EQ_INT(hits_of(m, KV("A", "x", "B", "z")), 0);
}

TEST(sigma_field_name_case_fallback)
{
    const char *r = RULE("  sel:\n    commandline|contains: evil\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("CommandLine", "so EVIL")), 1);
    /* exact name wins over a case-insensitive one */
    const char *e = RULE("  sel:\n    Name: exact\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(e, KV("name", "exact", "Name", "other")), 0);
    CHECK_EQ_INT(hits_of(e, KV("name", "other", "Name", "exact")), 1);
}

TEST(sigma_array_values)
{
    /* a field carried several times (array) matches when any value does */
    const char *r = RULE("  sel:\n    Tag: b\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("Tag", "a", "Tag", "b")), 1);
}

TEST(sigma_cond_rejections)
{
    CHECK(strstr(reject_reason(RULE("  sel:\n    A: 1\n  condition: sel and nope\n")), "unknown search identifier 'nope'"));
    CHECK(strstr(reject_reason(RULE("  sel:\n    A: 1\n  condition: sel | count() > 5\n")), "aggregation"));
    CHECK(strstr(reject_reason(RULE("  sel:\n    A: 1\n  condition: (sel\n")), "')'"));
    CHECK(strstr(reject_reason(RULE("  sel:\n    A: 1\n  condition: 1 of x*\n")), "matches no search identifier"));
    CHECK(strstr(reject_reason(RULE("  sel:\n    A: 1\n  condition: sel and\n")), "condition"));
    CHECK(strstr(reject_reason(RULE("  sel:\n    A: 1\n")), "no condition"));
    CHECK(strstr(reject_reason("title: x\nfoo: bar\n"), "no 'detection'"));
    CHECK(strstr(reject_reason("title: x\ndetection: [\n"), "YAML error"));
    CHECK(strstr(reject_reason(RULE("  sel: []\n  condition: sel\n")), "empty"));
    CHECK(strstr(reject_reason(RULE("  sel:\n    A:\n      B: 1\n  condition: sel\n")), "map"));
}

TEST(sigma_deep_condition_bounded)
{
    char rule[20000];
    int n = snprintf(rule, sizeof rule, "title: t\nid: r\nlogsource: {product: test}\ndetection:\n  sel:\n    A: 1\n  condition: ");
    for (int i = 0; i < 200; i++) rule[n++] = '(';
    n += snprintf(rule + n, sizeof rule - (size_t)n, "sel");
    for (int i = 0; i < 200; i++) rule[n++] = ')';
    rule[n++] = '\n';
    rule[n] = 0;
    CHECK(strstr(reject_reason(rule), "deeper"));
}

TEST(sigma_metadata_and_multidoc)
{
    const char *y =
        "title: First\nid: 11111111-0000-0000-0000-000000000001\nname: first_rule\nstatus: test\nlevel: high\n"
        "author: me\ndate: 2024-01-02\ntags:\n  - attack.execution\n  - attack.t1059.001\n  - attack.s0567\n"
        "references:\n  - https://example.com\nfalsepositives:\n  - admins\n"
        "logsource: {product: windows, category: process_creation}\n"
        "detection:\n  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\n"
        "---\n"
        "title: Second\nid: 2\nlogsource: {product: test}\ndetection:\n  sel:\n    A: 1\n  condition: sel\n";
    sp_ruleset *rs = rs_from(y, NULL);
    CHECK(rs != NULL);
    if (!rs) return;
    CHECK_EQ_INT(sp_ruleset_count(rs), 2);
    const sp_rule_info *in = sp_ruleset_rule(rs, 0);
    CHECK_STR(in->title, "First");
    CHECK_STR(in->name, "first_rule");
    CHECK_STR(in->level, "high");
    CHECK_STR(in->status, "test");
    CHECK_STR(in->date, "2024-01-02");
    CHECK_STR(in->category, "process_creation");
    CHECK_EQ_INT(in->ntags, 3);
    CHECK_STR(in->tags[2], "attack.s0567");
    CHECK_EQ_INT(in->nreferences, 1);
    CHECK_STR(in->falsepositives[0], "admins");
    CHECK_STR(sp_ruleset_rule(rs, 1)->title, "Second");
    sp_ruleset_free(rs);
}

TEST(sigma_field_name_spaces_stripped)
{
    /* Sigma field names are event names with spaces removed ("Source Name") */
    const char *r = RULE("  sel:\n    SourceName: 'Real-Time Protection'\n  condition: sel\n");
    CHECK_EQ_INT(hits_of(r, KV("Source Name", "Real-Time Protection")), 1);
}
