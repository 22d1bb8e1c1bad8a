package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"slices"
	"time"
)

// selfSignedCert makes a new certificate for hosts (names and IPs), valid
// from an hour ago for a year, signed by its own key: clients trust it by
// adding its PEM to their roots (curl --cacert, x509.CertPool). It returns
// the certificate and its PEM (without the key, which never leaves the
// process).
func selfSignedCert(hosts []string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("tls: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("tls: serial: %w", err)
	}
	now := time.Now()
	tpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"whispir-go mock"}, CommonName: "whispir mock"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		switch ip := net.ParseIP(h); {
		case h == "":
		case ip != nil && !ip.IsUnspecified():
			if !slices.ContainsFunc(tpl.IPAddresses, ip.Equal) {
				tpl.IPAddresses = append(tpl.IPAddresses, ip)
			}
		case ip == nil && !slices.Contains(tpl.DNSNames, h):
			tpl.DNSNames = append(tpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("tls: certificate: %w", err)
	}
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemData, nil
}

// writeCert writes the certificate's PEM to path, or to a new file in the
// temporary directory when path is empty, and returns the file's path.
func writeCert(path string, pemData []byte) (string, error) {
	if path == "" {
		f, err := os.CreateTemp("", "whispir-mock-*.pem")
		if err != nil {
			return "", fmt.Errorf("--tls-cert: %w", err)
		}
		defer f.Close()
		if _, err := f.Write(pemData); err != nil {
			return "", fmt.Errorf("--tls-cert: %w", err)
		}
		return f.Name(), f.Close()
	}
	if err := os.WriteFile(path, pemData, 0o644); err != nil {
		return "", usagef("--tls-cert: %v", err)
	}
	return path, nil
}
