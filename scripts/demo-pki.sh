#!/usr/bin/env bash
# Makes the demo's PKI and PKCS#11 token in DIR:
#   root CA -> intermediate CA -> broker certificate (localhost, 127.0.0.1)
#                              -> device certificate
# and provisions the device key and certificate into a fresh SoftHSM2 token
# (DIR/softhsm2.conf, tokens in DIR/tokens) under the labels the TLS layer
# looks for. Usage: demo-pki.sh DIR [--no-token]
#   KEY_TYPE=ec (P-256, default) or rsa (2048) selects all key types.
#   --no-token: certificates only (for a second, foreign PKI).
set -euo pipefail
# PKCS11_MODULE: FREERTOS_TLS_PKCS11_MODULE or the scripts' default.
source "$(dirname "$0")/lib/deps.sh"

dir=${1:?usage: demo-pki.sh DIR [--no-token]}
make_token=1
[ "${2:-}" = "--no-token" ] && make_token=0
key_type=${KEY_TYPE:-ec}
pin=${DEMO_PKCS11_PIN:-0000}
so_pin=${DEMO_PKCS11_SO_PIN:-12345678}
key_label=${DEMO_PKCS11_KEY_LABEL:-Device Priv TLS Key}
cert_label=${DEMO_PKCS11_CERT_LABEL:-Device Cert}
module=$PKCS11_MODULE

mkdir -p "$dir"
cd "$dir"
rm -rf tokens ./*.pem ./*.key ./*.der ./*.srl ./*.cnf softhsm2.conf

new_key() {
    case "$key_type" in
        ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
        rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
        *) echo "demo-pki.sh: KEY_TYPE must be ec or rsa" >&2; exit 2 ;;
    esac
}

cat > extensions.cnf <<'CNF'
[ca_intermediate]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[broker]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityKeyIdentifier = keyid
[device]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF

tag=$(basename "$dir")
new_key root-ca.key
openssl req -x509 -new -key root-ca.key -sha256 -days 30 -subj "/O=freertos-tls demo/CN=Demo Root CA ($tag)" \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out root-ca.pem

issue() { # name subject issuer extension-section
    new_key "$1.key"
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -sha256 -days 30 \
        -extfile extensions.cnf -extensions "$4" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr"
}
issue intermediate-ca "/O=freertos-tls demo/CN=Demo Intermediate CA ($tag)" root-ca ca_intermediate
issue broker "/O=freertos-tls demo/CN=localhost" intermediate-ca broker
issue device "/O=freertos-tls demo/CN=freertos-tls-demo-device" intermediate-ca device

# What Mosquitto serves (leaf + intermediate) and trusts for clients (both CAs,
# since the device sends only its own certificate).
cat broker.pem intermediate-ca.pem > broker-chain.pem
cat intermediate-ca.pem root-ca.pem > client-ca.pem
openssl verify -CAfile root-ca.pem -untrusted intermediate-ca.pem broker.pem device.pem >/dev/null

if [ "$make_token" = 1 ]; then
    mkdir -p tokens
    cat > softhsm2.conf <<CONF
directories.tokendir = $PWD/tokens
objectstore.backend = file
log.level = ERROR
CONF
    export SOFTHSM2_CONF=$PWD/softhsm2.conf
    softhsm2-util --init-token --free --label freertos-tls-demo --pin "$pin" --so-pin "$so_pin" >/dev/null
    openssl pkcs8 -topk8 -nocrypt -in device.key -out device.pk8.pem
    softhsm2-util --import device.pk8.pem --token freertos-tls-demo --label "$key_label" --id 01 \
        --pin "$pin" >/dev/null
    rm -f device.pk8.pem
    openssl x509 -in device.pem -outform DER -out device.der
    pkcs11-tool --module "$module" --token-label freertos-tls-demo --login --pin "$pin" \
        --write-object device.der --type cert --label "$cert_label" --id 01 >/dev/null
    echo "demo-pki: token freertos-tls-demo in $PWD/tokens (key '$key_label', cert '$cert_label')"
fi
echo "demo-pki: $key_type PKI in $PWD"
