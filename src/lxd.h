/* lxd.h - the LXD REST API over a unix socket or HTTPS; no policy here */
#ifndef LXD_HARDEN_LXD_H
#define LXD_HARDEN_LXD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "jsonlim.h"
#include "util.h"

/* Where and how to reach a server. All strings owned. */
struct lxd_endpoint {
	char *socket_path;	/* unix socket; NULL for HTTPS */
	char *url;		/* "https://host:port"; NULL for unix */
	char *client_cert;	/* PEM file for HTTPS */
	char *client_key;	/* PEM file for HTTPS */
	char *server_cert;	/* pinned server certificate PEM file, or
				   NULL to verify against the system CAs */
	char *label;		/* how reports name it: "unix:///path" or
				   the URL, or "remote NAME (URL)" */
};

void lxd_endpoint_release(struct lxd_endpoint *ep);

/*
 * The command line client of a product, for the commands the tool
 * prints: "incus" for "incus", else "lxc".
 */
const char *product_client(const char *product);

enum lxd_err {
	LXD_OK,
	LXD_ERR_CONNECT,	/* no such socket, refused, unreachable */
	LXD_ERR_PERM,		/* permission denied on the socket */
	LXD_ERR_TLS,		/* handshake, server cert did not verify */
	LXD_ERR_HTTP,		/* non-2xx answer (LXD's error text in diag) */
	LXD_ERR_PROTO,		/* not JSON, truncated, not an LXD envelope,
				   or over a cap of jsonlim_server */
	LXD_ERR_TIMEOUT,	/* no complete answer in time: the request's
				   limit or the deadline (deadline.h) */
};

struct lxd_response {
	enum lxd_err err;
	long http_status;
	json_t *body;		/* the decoded envelope; owned */
	json_t *metadata;	/* borrowed from body */
	char *etag;		/* owned; NULL when absent */
	bool unknown;		/* lxd_send: the request was sent and no
				   answer says whether it was carried out
				   (a timeout, a dropped connection, a lost
				   operation) */
};

void lxd_response_release(struct lxd_response *r);

struct lxd_client;

/* Caller frees with lxd_client_free(). Copies what it needs from ep. */
struct lxd_client *lxd_client_new(const struct lxd_endpoint *ep,
				  struct diag *d);
void lxd_client_free(struct lxd_client *c);

/*
 * GET path (e.g. "/1.0/instances?recursion=1"). Returns 0 when the server
 * answered 2xx with a "sync" envelope; otherwise -1 with out->err set and
 * one line in d, e.g. "GET /1.0/networks: 403 Forbidden: not authorized".
 * out is always initialised and must be released.
 */
int lxd_get(struct lxd_client *c, const char *path, struct lxd_response *out,
	    struct diag *d);

/* One of several GETs sent at once by lxd_get_all(). */
struct lxd_request {
	char *path;		/* set by caller; owned by caller */
	/* set by caller: the answer is only read, never changed, so its
	   list is parsed item by item with equal values held once
	   (jsonlim_loadb_items) */
	bool share;
	/* set by caller, with share: called on each item of the list as it
	   is parsed (jsonlim_loadb_items), with each_arg */
	jsonlim_item_fn *each;
	const void *each_arg;
	struct lxd_response resp;
	int rc;
	struct diag diag;
};

/* Runs every request concurrently; each gets its own rc and diag. */
void lxd_get_all(struct lxd_client *c, struct lxd_request *reqs, size_t n);

/*
 * A set of concurrent GETs that may grow while it runs: done is called
 * as each request completes (its rc, resp and diag set) and may add
 * requests that depend on that answer; they start at once, alongside
 * those still in flight. A request stays at its address, owned by the
 * caller, until lxd_batch_run() returns. The deadline (deadline.h)
 * limits each request as lxd_get() does.
 */
struct lxd_batch;
typedef void lxd_done_fn(struct lxd_batch *b, struct lxd_request *r,
			 void *ctx);

struct lxd_batch *lxd_batch_new(struct lxd_client *c, lxd_done_fn *done,
				void *ctx);
void lxd_batch_add(struct lxd_batch *b, struct lxd_request *r);
/* Returns when every request added, before or during the run, is done. */
void lxd_batch_run(struct lxd_batch *b);
void lxd_batch_free(struct lxd_batch *b);

/*
 * Sends METHOD ("PATCH", "PUT", "POST", "DELETE") to path with body (may be
 * NULL: no body) and, when if_match is not NULL, an If-Match header. An
 * async answer is waited for (GET /1.0/operations/UUID/wait) and its
 * failure is the request's failure. Returns 0 on success; -1 with out->err
 * and one line in d ("PATCH /1.0: 412 Precondition Failed: ..."). A 412
 * answer sets out->http_status to 412: the object changed since the
 * ETag was read. When the request was sent but no answer came (or the
 * operation could not be followed to its end), out->unknown is set: it
 * may or may not have been carried out. out is always initialised and
 * must be released.
 */
int lxd_send(struct lxd_client *c, const char *method, const char *path,
	     const json_t *body, const char *if_match,
	     struct lxd_response *out, struct diag *d);

/*
 * Checks that an LXD envelope agrees with itself and with the HTTP status
 * (0: not known, as for a saved state, where only a sync answer is data):
 * sync has status_code 200, error_code 0 and metadata; async has 100, 0
 * and an operation; error has status_code 0 and an error_code of 400-599
 * equal to the HTTP status. Returns 0, or -1 with one line in why.
 */
int lxd_envelope_check(const json_t *j, long http_status, char *why,
		       size_t len);

/*
 * Limits each later request of c to ms milliseconds (0: back to the
 * default, 120 s). A write (lxd_send) and its wait for the operation
 * count as one request. An armed deadline (deadline.h) still cuts
 * requests shorter. A request cut short fails with LXD_ERR_TIMEOUT; for
 * a write that means its outcome is unknown: the server may have made
 * the change.
 */
void lxd_client_set_timeout(struct lxd_client *c, long ms);

/*
 * The deadline of each write request of lxd_send() (and of the wait for
 * its operation), in milliseconds; 0: LXD_WRITE_TIMEOUT_MS. Writes always
 * go on a fresh connection that is not reused, so libcurl never sends
 * one again by itself when a kept-alive connection turns out dead.
 */
#define LXD_WRITE_TIMEOUT_MS 60000L
void lxd_client_set_write_timeout(struct lxd_client *c, long ms);

/*
 * Prepares a libcurl easy handle (a CURL *, passed as void *) to reach
 * c's server the way each request of c does (the socket; or TLS with the
 * client certificate and the pinned server key), as a connection of its
 * own that the caller talks on (CURLOPT_CONNECT_ONLY, then
 * curl_easy_send/recv: watch's event stream). Returns 0 or -1.
 */
int lxd_client_setup_raw(struct lxd_client *c, void *easy, const char *path);

/* How many HTTP requests this client has sent. */
size_t lxd_client_requests(const struct lxd_client *c);

#endif
