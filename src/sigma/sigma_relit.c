/*
 * sigma_relit.c — a literal every match of a regular expression contains.
 *
 * `CommandLine|re: 'ipconfig\s+/all'` cannot match a command line without
 * "ipconfig" in it; with that literal the value joins the literal prefilter
 * like a `contains` (sigma_index.c) and the rule is no longer tried on every
 * process creation.  PCRE2 reports only a first and last code unit, so this
 * is a small reader of the pattern's top level.  It is conservative: when
 * it is unsure it gives no literal, which only means the value is tried.
 *
 *   - a top-level `|`, the `x` flag (whitespace becomes insignificant) or
 *     `\Q...\E` quoting: no literal;
 *   - plain ASCII characters and escaped punctuation (`\.`, `\\`, `\/`)
 *     form runs; anything else ends a run: `.`, classes `[...]`, groups
 *     `(...)` (skipped whole), anchors, escapes like `\s` `\d` `\x41`,
 *     non-ASCII bytes;
 *   - a character followed by `?`, `*` or `{` (may occur zero times) is left
 *     out and ends the run; one followed by `+` is kept and ends it;
 *   - caseless patterns (`(?i)` anywhere, or the `|re|i` modifier): in
 *     UTF mode PCRE2 folds 'k' with KELVIN SIGN and 's' with LONG S, which
 *     lower-casing ASCII text does not, so those letters end runs too.
 * The longest run of at least `min` bytes is the literal, lowercased (the
 * prefilter looks for it in lowercased text; a case-sensitive pattern's
 * match contains it in some case).
 */
#include <string.h>

#include "sigma/sigma.h"

static int is_meta(unsigned char c)
{
    return c == '\\' || c == '^' || c == '$' || c == '.' || c == '|' || c == '?' || c == '*' || c == '+' ||
           c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}';
}

static int is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* index after a bracketed argument {..} <..> '..' at p[i], or i */
static size_t skip_arg(const char *p, size_t n, size_t i)
{
    if (i >= n) return i;
    char close = p[i] == '{' ? '}' : p[i] == '<' ? '>' : p[i] == '\'' ? '\'' : 0;
    if (!close) return i;
    for (size_t k = i + 1; k < n; k++) if (p[k] == close) return k + 1;
    return n;
}

/* index after an escape with a letter or digit at p[i + 1] (\x41, \cA,
 * \p{L}, \g{-1}, \k<n>, \012, \d ...): its arguments are not literals */
static size_t skip_escape(const char *p, size_t n, size_t i)
{
    unsigned char e = (unsigned char)p[i + 1];
    size_t j = i + 2;
    switch (e) {
    case 'x':
        if (j < n && p[j] == '{') return skip_arg(p, n, j);
        for (int k = 0; k < 2 && j < n && is_hex((unsigned char)p[j]); k++) j++;
        return j;
    case 'c': return j < n ? j + 1 : n;
    case 'p': case 'P':
        if (j < n && p[j] == '{') return skip_arg(p, n, j);
        return j < n ? j + 1 : n;
    case 'o': case 'N': case 'k': return skip_arg(p, n, j);
    case 'g':
        if (j < n && (p[j] == '{' || p[j] == '<' || p[j] == '\'')) return skip_arg(p, n, j);
        if (j < n && (p[j] == '-' || p[j] == '+')) j++;
        while (j < n && p[j] >= '0' && p[j] <= '9') j++;
        return j;
    default:
        if (e >= '0' && e <= '9')
            while (j < n && p[j] >= '0' && p[j] <= '9') j++;
        return j;
    }
}

/* index after a class starting at p[i] == '[' (n when unterminated) */
static size_t skip_class(const char *p, size_t n, size_t i)
{
    i++;
    if (i < n && p[i] == '^') i++;
    if (i < n && p[i] == ']') i++;          /* a leading ] is literal */
    while (i < n && p[i] != ']') {
        if (p[i] == '\\') i++;
        else if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') {   /* [:alpha:] (bounded: p need not end in NUL) */
            for (size_t k = i + 2; k + 1 < n; k++)
                if (p[k] == ':' && p[k + 1] == ']') { i = k + 1; break; }
        }
        i++;
    }
    return i < n ? i + 1 : n;
}

/* index after a group starting at p[i] == '(' (n when unterminated) */
static size_t skip_group(const char *p, size_t n, size_t i)
{
    int depth = 0;
    while (i < n) {
        char c = p[i];
        if (c == '\\') { i += 2; continue; }
        if (c == '[') { i = skip_class(p, n, i); continue; }
        if (c == '(') depth++;
        else if (c == ')' && --depth == 0) return i + 1;
        i++;
    }
    return n;
}

/* Scan the pattern's flags and top level: -1 when no literal can be
 * trusted, else 0 with *caseless updated. */
static int precheck(const char *p, size_t n, int *caseless)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 < n && (p[i + 1] == 'Q' || p[i + 1] == 'E')) return -1;
            i++;
            continue;
        }
        if (c == '[') { i = skip_class(p, n, i) - 1; continue; }
        if (c == '(') {
            depth++;
            if (i + 1 < n && p[i + 1] == '?') {      /* inline options (?i) (?x-s) (?i:...) */
                for (size_t k = i + 2; k < n && p[k] != ')' && p[k] != ':'; k++) {
                    if (p[k] == '-') break;          /* options turned off: not on */
                    if (p[k] == 'x') return -1;
                    if (p[k] == 'i') *caseless = 1;
                }
            }
            continue;
        }
        if (c == ')') { depth--; continue; }
        if (c == '|' && depth <= 0) return -1;
    }
    return 0;
}

size_t sg_regex_literal(const char *p, size_t n, int caseless, size_t min, char *out, size_t cap)
{
    if (!n || precheck(p, n, &caseless)) return 0;
    char run[256];
    size_t rl = 0, best = 0;
    size_t i = 0;
#define END_RUN()                                                        \
    do {                                                                 \
        if (rl > best && rl <= cap) { memcpy(out, run, rl); best = rl; } \
        rl = 0;                                                          \
    } while (0)
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        int lit = -1;          /* the literal character at i, if any */
        size_t next = i + 1;
        if (c == '\\') {
            if (i + 1 >= n) { END_RUN(); break; }
            unsigned char e = (unsigned char)p[i + 1];
            if (is_alnum(e)) next = skip_escape(p, n, i);
            else {
                next = i + 2;
                if (e < 0x80) lit = e;                  /* \. \\ \/ \$ ... */
            }
        } else if (c == '[') {
            next = skip_class(p, n, i);
        } else if (c == '(') {
            next = skip_group(p, n, i);
        } else if (c < 0x80 && !is_meta(c)) {
            lit = c;
        }
        /* what follows the atom */
        unsigned char q = next < n ? (unsigned char)p[next] : 0;
        int optional = q == '?' || q == '*' || q == '{';
        int repeated = q == '+';
        if (lit >= 0 && caseless && (sg_lc((unsigned char)lit) == 'k' || sg_lc((unsigned char)lit) == 's')) lit = -1;
        if (lit < 0 || optional) {
            END_RUN();
        } else {
            if (rl < sizeof run) run[rl++] = (char)sg_lc((unsigned char)lit);
            else END_RUN();
            if (repeated) END_RUN();
        }
        i = next;
        /* skip the quantifier itself (and a lazy / possessive suffix) */
        if (optional || repeated) {
            if (q == '{') {
                while (i < n && p[i] != '}') i++;
                if (i < n) i++;
            } else i++;
            if (i < n && (p[i] == '?' || p[i] == '+')) i++;
        }
    }
    END_RUN();
#undef END_RUN
    return best >= min ? best : 0;
}
