#!/bin/sh
# make-pki.sh OUTDIR - a CA, client certificates and CRLs for the host tests
#
# Everything is real OpenSSL output, made fresh on each run (EC P-256, so
# it takes well under a second):
#   ca.crt ca.key          the CA (CN=lxd-harden test CA), 10 years
#   client-short.crt       a client certificate valid 30 days
#   client-long.crt        a client certificate valid 400 days
#   client-revoked.crt     a client certificate the CRLs revoke
#   crl-good.pem           CRL signed by the CA, next update in 10 years
#   crl-expired.pem        CRL signed by the CA, next update 2020-02-01
#   crl-foreign.pem        CRL with the CA's name, signed by another key
#   crl-other.pem          CRL issued by another CA (another name)
set -eu

out=${1:?usage: make-pki.sh OUTDIR}
mkdir -p "$out"
cd "$out"

ec() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@" \
		2>/dev/null
}

cat >ca.cnf <<'CNF'
[ ca ]
default_ca = lxdh

[ lxdh ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha256
policy = any
unique_subject = no
default_crl_days = 3650

[ any ]
commonName = supplied
CNF
: >index.txt
echo 1000 >serial
echo 01 >crlnumber

ec -x509 -days 3650 -subj "/CN=lxd-harden test CA" -keyout ca.key -out ca.crt
for c in short:30 long:400 revoked:30; do
	name=client-${c%%:*}
	ec -subj "/CN=$name" -keyout "$name.key" -out "$name.csr"
	openssl ca -config ca.cnf -batch -notext -keyfile ca.key -cert ca.crt \
		-days "${c#*:}" -in "$name.csr" -out "$name.crt" 2>/dev/null
done
openssl ca -config ca.cnf -keyfile ca.key -cert ca.crt \
	-revoke client-revoked.crt 2>/dev/null
openssl ca -config ca.cnf -gencrl -keyfile ca.key -cert ca.crt \
	-crldays 3650 -out crl-good.pem 2>/dev/null
openssl ca -config ca.cnf -gencrl -keyfile ca.key -cert ca.crt \
	-crl_lastupdate 20200101000000Z -crl_nextupdate 20200201000000Z \
	-out crl-expired.pem 2>/dev/null

# the same name as the CA, another key: only the signature tells them apart
ec -x509 -days 3650 -subj "/CN=lxd-harden test CA" -keyout foreign.key \
	-out foreign.crt
openssl ca -config ca.cnf -gencrl -keyfile foreign.key -cert foreign.crt \
	-crldays 3650 -out crl-foreign.pem 2>/dev/null

ec -x509 -days 3650 -subj "/CN=another CA" -keyout other.key -out other.crt
openssl ca -config ca.cnf -gencrl -keyfile other.key -cert other.crt \
	-crldays 3650 -out crl-other.pem 2>/dev/null

rm -f ./*.csr ./*.pem.old ./index.txt* ./serial* ./crlnumber* ./*.old ./1*.pem
