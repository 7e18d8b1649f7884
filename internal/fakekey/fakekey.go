// Package fakekey makes credential-shaped strings for tests: derived at run
// time from a SHA-256 chain, they look random (they pass the secret
// detectors' entropy controls), were never issued by anyone, and leave no
// literal in the repository for a secret scanner to trip on.
package fakekey

import (
	"crypto/sha256"
	"strings"
)

// Alphabets of the provider key formats (secrets/detector.go).
const (
	Alnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	URLB64 = Alnum + "_-"
	B64    = Alnum + "+/"
	Upper2 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	HexLow = "0123456789abcdef"
	LowNum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// Make returns n characters of alphabet derived from domain and seed: the
// same arguments give the same string, different domains keep the keys of
// different test suites apart.
func Make(domain, seed string, n int, alphabet string) string {
	var b strings.Builder
	sum := sha256.Sum256([]byte(domain + ":" + seed))
	for i := 0; b.Len() < n; i++ {
		if i == len(sum) {
			sum = sha256.Sum256(sum[:])
			i = 0
		}
		b.WriteByte(alphabet[int(sum[i])%len(alphabet)])
	}
	return b.String()
}
