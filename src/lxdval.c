/* lxdval.c - LXD's value formats: booleans, expiries, listeners, versions */
#include "lxdval.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool
in_list(const char *v, const char *const *list, size_t n)
{
	if (!v)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v, list[i]) == 0)
			return true;
	return false;
}

bool
lxdval_is_true(const char *v)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };

	return in_list(v, yes, ARRAY_SIZE(yes));
}

bool
lxdval_is_false(const char *v)
{
	static const char *const no[] = { "false", "0", "no", "off" };

	return in_list(v, no, ARRAY_SIZE(no));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
static long long
days_from_civil(long long y, long long m, long long d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, long long *y, long long *m, long long *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static long long
floor_div(long long a, long long b)
{
	long long q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

enum { U_S, U_M, U_H, U_D, U_W, U_MON, U_Y, U__COUNT };

static int
unit_index(char c)
{
	static const char units[] = "SMHdwmy";
	const char *p = c ? strchr(units, c) : NULL;

	return p ? (int)(p - units) : -1;
}

/*
 * Go's time.AddDate: add years and months to the civil date, normalise
 * the month, then count days from the first of that month so that an
 * overflowing day (Jan 31 + 1m) rolls into the next month as Go does.
 * Values beyond what a date can hold saturate; any of them exceeds every
 * sensible policy maximum.
 */
static long long
add_calendar(long long base, const long long v[U__COUNT])
{
	long long days = floor_div(base, 86400);
	long long secs = base - days * 86400;
	long long y, m, d, months, dd, r;
	const long long lim = 1000000000LL;

	if (v[U_Y] > lim || v[U_MON] > lim || v[U_D] > lim * 100 ||
	    v[U_W] > lim * 10 || v[U_H] > lim * 1000 ||
	    v[U_M] > lim * 1000 || v[U_S] > lim * 100000)
		return LLONG_MAX;
	civil_from_days(days, &y, &m, &d);
	months = (m - 1) + v[U_MON];
	y += v[U_Y] + floor_div(months, 12);
	m = months - floor_div(months, 12) * 12 + 1;
	dd = days_from_civil(y, m, 1) + (d - 1) + v[U_D] + v[U_W] * 7;
	r = dd * 86400 + secs;
	r += v[U_H] * 3600 + v[U_M] * 60 + v[U_S];
	return r;
}

static bool
is_space(char c)
{
	return isspace((unsigned char)c) != 0;
}

int
lxdval_expiry(const char *v, long long base, long long *expires_at,
	      bool *never, struct diag *d)
{
	long long vals[U__COUNT] = { 0 };
	const char *start, *end, *p;

	*expires_at = 0;
	*never = false;
	if (!v)
		v = "";
	start = v;
	end = v + strlen(v);
	while (start < end && is_space(*start))
		start++;
	while (end > start && is_space(end[-1]))
		end--;
	if (start == end) {
		*never = true;
		return 0;
	}

	/* LXD splits on single spaces: two in a row make an empty part. */
	for (p = start; p <= end;) {
		const char *q = p;
		long long n = 0;
		int u;

		while (q < end && *q != ' ')
			q++;
		if (q - p < 2) {
			diag_set(d, "invalid expiry '%s': each part must be a "
				    "number and a unit (S, M, H, d, w, m, y)",
				 v);
			return -1;
		}
		for (const char *c = p; c < q - 1; c++) {
			if (*c < '0' || *c > '9') {
				diag_set(d, "invalid expiry '%s': each part "
					    "must be a number and a unit "
					    "(S, M, H, d, w, m, y)", v);
				return -1;
			}
			if (n > (LLONG_MAX - 9) / 10) {
				diag_set(d, "invalid expiry '%s': number out "
					    "of range", v);
				return -1;
			}
			n = n * 10 + (*c - '0');
		}
		u = unit_index(q[-1]);
		if (u < 0) {
			diag_set(d, "invalid expiry '%s': unknown unit '%c' "
				    "(S, M, H, d, w, m, y)", v, q[-1]);
			return -1;
		}
		/* Like LXD, a repeat is only noticed after a non-zero value. */
		if (vals[u] > 0) {
			diag_set(d, "invalid expiry '%s': unit '%c' appears "
				    "twice", v, q[-1]);
			return -1;
		}
		vals[u] = n;
		p = q + 1;
	}
	*expires_at = add_calendar(base, vals);
	return 0;
}

static bool
valid_hostname(const char *h)
{
	if (!*h)
		return false;
	for (const char *p = h; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '_')
			return false;
	return true;
}

/* Fills wildcard/loopback from a host without brackets. */
static bool
classify_host(struct lxdval_listen *out)
{
	unsigned char a6[16];
	unsigned char a4[4];
	char tmp[256];
	char *pct;

	if (!out->host[0]) {
		out->wildcard = true;
		return true;
	}
	if (inet_pton(AF_INET, out->host, a4) == 1) {
		out->wildcard = !a4[0] && !a4[1] && !a4[2] && !a4[3];
		out->loopback = a4[0] == 127;
		return true;
	}
	snprintf(tmp, sizeof(tmp), "%s", out->host);
	pct = strchr(tmp, '%');
	if (pct)
		*pct = '\0';
	if (inet_pton(AF_INET6, tmp, a6) == 1) {
		static const unsigned char zero[16];
		static const unsigned char mapped[12] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
		};

		if (memcmp(a6, zero, 15) == 0) {
			out->wildcard = a6[15] == 0;
			out->loopback = a6[15] == 1;
		} else if (memcmp(a6, mapped, 12) == 0) {
			out->wildcard = !a6[12] && !a6[13] && !a6[14] &&
					!a6[15];
			out->loopback = a6[12] == 127;
		}
		return true;
	}
	if (strchr(out->host, ':'))
		return false;
	if (!valid_hostname(out->host))
		return false;
	out->loopback = strcasecmp(out->host, "localhost") == 0;
	return true;
}

static int
parse_port(const char *s, int *port)
{
	long v = 0;

	if (!*s || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

int
lxdval_listen(const char *v, int default_port, struct lxdval_listen *out,
	      struct diag *d)
{
	const char *colon, *port = NULL;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	out->port = default_port;
	if (!v) {
		diag_set(d, "no listen address");
		return -1;
	}
	if (v[0] == '[') {
		const char *rb = strchr(v, ']');

		if (!rb) {
			diag_set(d, "invalid listen address '%s': no closing "
				    "']'", v);
			return -1;
		}
		hlen = (size_t)(rb - v - 1);
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1]) {
			diag_set(d, "invalid listen address '%s': text after "
				    "']'", v);
			return -1;
		}
		if (hlen >= sizeof(out->host))
			goto toolong;
		memcpy(out->host, v + 1, hlen);
		out->host[hlen] = '\0';
		if (!strchr(out->host, ':') && hlen) {
			diag_set(d, "invalid listen address '%s': brackets "
				    "around a non-IPv6 host", v);
			return -1;
		}
	} else {
		colon = strchr(v, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* more than one colon: a bare IPv6 address */
			hlen = strlen(v);
		} else {
			hlen = colon ? (size_t)(colon - v) : strlen(v);
			if (colon)
				port = colon + 1;
		}
		if (hlen >= sizeof(out->host))
			goto toolong;
		memcpy(out->host, v, hlen);
		out->host[hlen] = '\0';
	}
	if (port && *port && parse_port(port, &out->port) != 0) {
		diag_set(d, "invalid listen address '%s': bad port '%s'", v,
			 port);
		return -1;
	}
	if (!classify_host(out)) {
		diag_set(d, "invalid listen address '%s': bad host '%s'", v,
			 out->host);
		return -1;
	}
	return 0;
toolong:
	diag_set(d, "invalid listen address: host longer than %zu bytes",
		 sizeof(out->host) - 1);
	return -1;
}

/* Reads one numeric component; stops at the end or a non-digit tail. */
static unsigned long long
version_part(const char **p)
{
	unsigned long long v = 0;

	if (!**p)
		return 0;
	if (**p < '0' || **p > '9') {
		*p += strlen(*p);
		return 0;
	}
	while (**p >= '0' && **p <= '9') {
		if (v < ULLONG_MAX / 10)
			v = v * 10 + (unsigned long long)(**p - '0');
		(*p)++;
	}
	if (**p == '.')
		(*p)++;
	else
		*p += strlen(*p);
	return v;
}

int
lxdval_version_cmp(const char *a, const char *b)
{
	const char *pa = a ? a : "";
	const char *pb = b ? b : "";

	while (*pa || *pb) {
		unsigned long long x = version_part(&pa);
		unsigned long long y = version_part(&pb);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

void
lxdval_format_duration(long long secs, char *buf, size_t len)
{
	static const struct {
		long long secs;
		char unit;
	} units[] = {
		{ 365LL * 86400, 'y' },
		{ 86400, 'd' },
		{ 3600, 'h' },
		{ 60, 'm' },
		{ 1, 's' },
	};
	size_t off = 0;
	unsigned long long rest;

	if (!len)
		return;
	buf[0] = '\0';
	if (secs == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	if (secs < 0) {
		snprintf(buf, len, "-");
		off = strlen(buf);
		rest = 0ULL - (unsigned long long)secs;
	} else {
		rest = (unsigned long long)secs;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		unsigned long long u = (unsigned long long)units[i].secs;
		unsigned long long n = rest / u;
		int w;

		if (!n)
			continue;
		rest -= n * u;
		w = snprintf(buf + off, len - off, "%s%llu%c",
			     off && buf[off - 1] != '-' ? " " : "", n,
			     units[i].unit);
		if (w < 0 || (size_t)w >= len - off)
			return;
		off += (size_t)w;
	}
}

void
lxdval_expiry_expr(long long secs, char *buf, size_t len)
{
	if (secs > 0 && secs % 86400 == 0)
		snprintf(buf, len, "%lldd", secs / 86400);
	else if (secs > 0 && secs % 3600 == 0)
		snprintf(buf, len, "%lldH", secs / 3600);
	else if (secs > 0 && secs % 60 == 0)
		snprintf(buf, len, "%lldM", secs / 60);
	else
		snprintf(buf, len, "%lldS", secs > 0 ? secs : 1);
}

/* ---- address lists ---- */

struct span {
	unsigned char lo[16], hi[16];
};

static int
span_cmp4(const void *a, const void *b)
{
	return memcmp(((const struct span *)a)->lo,
		      ((const struct span *)b)->lo, 4);
}

static int
span_cmp16(const void *a, const void *b)
{
	return memcmp(((const struct span *)a)->lo,
		      ((const struct span *)b)->lo, 16);
}

/* True when the n-byte big-endian number is all ones. */
static bool
all_ones(const unsigned char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != 0xff)
			return false;
	return true;
}

/* True when the spans, merged, run from 0 to all ones without a gap. */
static bool
spans_cover(struct span *v, size_t n, size_t len)
{
	unsigned char next[16];
	size_t i;

	if (!n)
		return false;
	qsort(v, n, sizeof(*v), len == 4 ? span_cmp4 : span_cmp16);
	memset(next, 0, sizeof(next));
	for (i = 0; i < n; i++) {
		if (memcmp(v[i].lo, next, len) > 0)
			return false;	/* a gap before this span */
		if (memcmp(v[i].hi, next, len) >= 0) {
			size_t k = len;

			if (all_ones(v[i].hi, len))
				return true;
			memcpy(next, v[i].hi, len);
			while (k-- > 0 && ++next[k] == 0)
				;
		}
	}
	return false;
}

/* Parses one address into a 16-byte buffer; returns its length, 0 if none. */
static size_t
parse_addr(const char *s, size_t n, unsigned char out[16])
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (!n || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, 16);
	if (inet_pton(AF_INET, buf, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, buf, out) == 1)
		return 16;
	return 0;
}

/* One element "a/n", "a-b" or "a" as a span; its length, 0 if none. */
static size_t
parse_span(const char *s, size_t n, struct span *sp)
{
	const char *slash = memchr(s, '/', n);
	const char *dash = memchr(s, '-', n);
	size_t len, len2;

	if (slash) {
		size_t pn = n - (size_t)(slash - s) - 1;
		unsigned bits = 0;

		len = parse_addr(s, (size_t)(slash - s), sp->lo);
		if (!len || !pn || pn > 3)
			return 0;
		for (size_t i = 0; i < pn; i++) {
			if (!isdigit((unsigned char)slash[1 + i]))
				return 0;
			bits = bits * 10 + (unsigned)(slash[1 + i] - '0');
		}
		if (bits > len * 8)
			return 0;
		memcpy(sp->hi, sp->lo, 16);
		for (size_t b = bits; b < len * 8; b++) {
			unsigned char m = (unsigned char)(0x80u >> (b % 8));

			sp->lo[b / 8] &= (unsigned char)~m;
			sp->hi[b / 8] |= m;
		}
		return len;
	}
	if (dash) {
		len = parse_addr(s, (size_t)(dash - s), sp->lo);
		len2 = parse_addr(dash + 1, n - (size_t)(dash - s) - 1,
				  sp->hi);
		if (!len || len != len2 || memcmp(sp->lo, sp->hi, len) > 0)
			return 0;
		return len;
	}
	len = parse_addr(s, n, sp->lo);
	memcpy(sp->hi, sp->lo, 16);
	return len;
}

void
lxdval_addr_cover(const char *list, struct lxdval_cover *out)
{
	struct span *v4, *v6;
	size_t n4 = 0, n6 = 0, max;
	const char *p = list;

	memset(out, 0, sizeof(*out));
	if (!list || !list[strspn(list, " \t")]) {
		out->empty = true;
		return;
	}
	max = strlen(list) / 2 + 1;	/* elements are at least "a," */
	v4 = xmalloc(max * sizeof(*v4));
	v6 = xmalloc(max * sizeof(*v6));
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *a = p, *b = p + n;
		struct span sp;
		size_t len;

		while (a < b && is_space(*a))
			a++;
		while (b > a && is_space(b[-1]))
			b--;
		p += n;
		if (*p == ',')
			p++;
		if (a == b)
			continue;
		if (b - a == 9 && strncmp(a, "@external", 9) == 0) {
			out->external = true;
			continue;
		}
		len = parse_span(a, (size_t)(b - a), &sp);
		if (len == 4 && n4 < max)
			v4[n4++] = sp;
		else if (len == 16 && n6 < max)
			v6[n6++] = sp;
		else
			out->other++;
	}
	out->all4 = spans_cover(v4, n4, 4);
	out->all6 = spans_cover(v6, n6, 16);
	free(v4);
	free(v6);
}

bool
lxdval_cover_everything(const struct lxdval_cover *c)
{
	return c->empty || c->external || c->all4 || c->all6;
}
