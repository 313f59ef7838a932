/* x509.h - what the checks need to know about a PEM certificate */
#ifndef LXD_HARDEN_X509_H
#define LXD_HARDEN_X509_H

#include <stdbool.h>

#include <openssl/types.h>

#include "util.h"

struct x509_info {
	long long not_before;	/* epoch */
	long long not_after;	/* epoch */
	char key_type[16];	/* "RSA", "EC", "ED25519", ... */
	int key_bits;
	char subject[256];	/* one line, RFC 2253 */
};

/* Parses the first certificate of a PEM string. -1 with d on failure. */
int x509_parse_pem(const char *pem, struct x509_info *out, struct diag *d);

/*
 * The SHA-256 fingerprint of the first certificate of a PEM string (of
 * its DER form, as LXD's certificate_fingerprint), lowercase hex, into
 * out. -1 (out "") when there is no readable certificate.
 */
int x509_sha256_pem(const char *pem, char out[65]);

/* An ASN.1 time as epoch seconds into *out; -1 when t is NULL or bad. */
int x509_time_epoch(const ASN1_TIME *t, long long *out);

#endif
