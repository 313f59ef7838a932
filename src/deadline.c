/* deadline.c - one time limit on the work at hand (an audit) */
#include "deadline.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define NOTES_MAX 4

static struct {
	bool armed;
	long long at;		/* CLOCK_MONOTONIC ms */
	long long ms;
	char what[64];
	char notes[NOTES_MAX][160];
	unsigned n_notes;	/* may exceed NOTES_MAX: counted, not kept */
	char unsent[NOTES_MAX][160];
	unsigned n_unsent;
} dl;

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
deadline_arm(long long ms, const char *what)
{
	memset(&dl, 0, sizeof(dl));
	dl.armed = true;
	dl.ms = ms;
	dl.at = mono_ms() + ms;
	snprintf(dl.what, sizeof(dl.what), "%s", what ? what : "");
}

void
deadline_disarm(void)
{
	memset(&dl, 0, sizeof(dl));
}

long long
deadline_left_ms(void)
{
	long long left;

	if (!dl.armed)
		return LLONG_MAX / 2;
	left = dl.at - mono_ms();
	return left > 0 ? left : 0;
}

bool
deadline_passed(void)
{
	return dl.armed && deadline_left_ms() == 0;
}

static void
add_note(char (*notes)[160], unsigned *n, const char *what)
{
	if (!dl.armed)
		return;
	for (unsigned i = 0; i < *n && i < NOTES_MAX; i++)
		if (str_eq(notes[i], what))
			return;
	if (*n < NOTES_MAX)
		snprintf(notes[*n], sizeof(notes[0]), "%s", what);
	(*n)++;
}

void
deadline_note(const char *what)
{
	add_note(dl.notes, &dl.n_notes, what);
}

void
deadline_note_unsent(const char *what)
{
	add_note(dl.unsent, &dl.n_unsent, what);
}

static void
list(struct strbuf *sb, char (*notes)[160], unsigned n)
{
	for (unsigned i = 0; i < n && i < NOTES_MAX; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", notes[i]);
	if (n > NOTES_MAX)
		strbuf_addf(sb, " and %u more", n - NOTES_MAX);
}

static void
ms_text(long long ms, char *buf, size_t len)
{
	if (ms % 1000)
		snprintf(buf, len, "%lldms", ms);
	else
		snprintf(buf, len, "%llds", ms / 1000);
}

bool
deadline_report(char *buf, unsigned long len)
{
	struct strbuf sb = STRBUF_INIT;
	char t[32];
	char *s;

	/* what was cut noted it: libcurl's clock may run a little ahead */
	if (!dl.armed || (!dl.n_notes && !dl.n_unsent))
		return false;
	ms_text(dl.ms, t, sizeof(t));
	strbuf_addf(&sb, "the audit did not finish within %s (%s); ", t,
		    dl.what);
	/* what was in progress says more than what never began */
	if (dl.n_notes) {
		strbuf_addstr(&sb, "still pending: ");
		list(&sb, dl.notes, dl.n_notes);
	} else {
		strbuf_addstr(&sb, "not begun: ");
		list(&sb, dl.unsent, dl.n_unsent);
	}
	s = strbuf_detach(&sb);
	snprintf(buf, len, "%s", s);
	free(s);
	return true;
}

long long
deadline_parse(const char *text)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 },
		{ "m", 60000 }, { "h", 3600000 },
	};
	char *end;
	long long v;

	if (!text || *text < '0' || *text > '9')
		return -1;
	v = strtoll(text, &end, 10);
	if (v <= 0 || v > 86400000)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (str_eq(end, units[i].unit)) {
			if (v > 86400000 / units[i].ms)
				return -1;
			return v * units[i].ms;
		}
	}
	return -1;
}
