package keyhash

import (
	"encoding/base64"
	"testing"
)

func TestHashStrVectors(t *testing.T) {
	const fox = "The quick brown fox jumps over the lazy dog"
	cases := map[string]string{
		Murmur32:  "2e4ff723",
		Murmur64:  "e34bbc7bbc071b6c",
		Murmur128: "e34bbc7bbc071b6c7a433ca9c49a9347",
		Sha256:    "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592",
	}
	for algo, want := range cases {
		if got := HashStr(fox, algo); got != want {
			t.Errorf("%s: got %s want %s", algo, got, want)
		}
	}
	if got := HashStr(""); got != "00000000" {
		t.Errorf("murmur32 of empty: %s", got)
	}
	if got := HashStr("hello"); got != "248bfa47" {
		t.Errorf("default algorithm: %s", got)
	}
}

func TestTokenAlgorithm(t *testing.T) {
	tok := base64.StdEncoding.EncodeToString([]byte(`{"org":"o","id":"abc","h":"sha256"}`))
	if TokenHashAlgo(tok) != Sha256 {
		t.Fatalf("algo = %q", TokenHashAlgo(tok))
	}
	if HashStr(tok) != HashStr(tok, Sha256) {
		t.Fatal("embedded algorithm not used")
	}
	if TokenHashAlgo("plainkey") != "" || TokenHashAlgo("eyNOTBASE64!") != "" {
		t.Fatal("plain keys have no algorithm")
	}
	if HashKey("k", false) != "k" || HashKey("hello", true) != "248bfa47" {
		t.Fatal("HashKey")
	}
}
