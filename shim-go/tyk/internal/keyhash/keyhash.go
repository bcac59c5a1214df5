// Package keyhash reproduces how Tyk turns a raw API key into the hashed
// form used as its storage identifier (user.SessionState.KeyHash).
//
// Plain (legacy) keys are hashed with 32-bit MurmurHash3. Keys generated in
// Tyk's base64-JSON format ({"org":..,"id":..,"h":"<algo>"}) name their own
// algorithm: "sha256", "murmur32", "murmur64" or "murmur128". Output is the
// lowercase hex encoding of the digest.
package keyhash

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/bits"
	"strings"
)

// Algorithm names understood by HashStr.
const (
	Sha256    = "sha256"
	Murmur32  = "murmur32"
	Murmur64  = "murmur64"
	Murmur128 = "murmur128"
)

// b64JSONPrefix is what base64 of `{"` starts with.
const b64JSONPrefix = "ey"

// TokenHashAlgo returns the algorithm embedded in a base64-JSON token, or ""
// for any other key.
func TokenHashAlgo(token string) string {
	if !strings.HasPrefix(token, b64JSONPrefix) {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return ""
	}
	var meta struct {
		H string `json:"h"`
	}
	if json.Unmarshal(raw, &meta) != nil {
		return ""
	}
	return meta.H
}

// HashKey returns in unchanged when enabled is false, otherwise HashStr(in).
func HashKey(in string, enabled bool) string {
	if !enabled {
		return in
	}
	return HashStr(in)
}

// HashStr hashes in with the given algorithm, or with the one embedded in the
// token when none is given. Unknown or empty names fall back to murmur32.
func HashStr(in string, withAlg ...string) string {
	algo := ""
	if len(withAlg) > 0 && withAlg[0] != "" {
		algo = withAlg[0]
	} else {
		algo = TokenHashAlgo(in)
	}

	data := []byte(in)
	switch algo {
	case Sha256:
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:])
	case Murmur64:
		h1, _ := murmur128(data)
		var out [8]byte
		binary.BigEndian.PutUint64(out[:], h1)
		return hex.EncodeToString(out[:])
	case Murmur128:
		h1, h2 := murmur128(data)
		var out [16]byte
		binary.BigEndian.PutUint64(out[:8], h1)
		binary.BigEndian.PutUint64(out[8:], h2)
		return hex.EncodeToString(out[:])
	default:
		var out [4]byte
		binary.BigEndian.PutUint32(out[:], murmur32(data))
		return hex.EncodeToString(out[:])
	}
}

// murmur32 is MurmurHash3 x86 32-bit with seed 0.
func murmur32(data []byte) uint32 {
	const (
		c1 uint32 = 0xcc9e2d51
		c2 uint32 = 0x1b873593
	)
	var h uint32
	n := len(data)
	i := 0
	for ; i+4 <= n; i += 4 {
		k := binary.LittleEndian.Uint32(data[i:])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}

	var k uint32
	rest := data[i:]
	switch len(rest) {
	case 3:
		k ^= uint32(rest[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(rest[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(rest[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}

	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// murmur128 is MurmurHash3 x64 128-bit with seed 0, returning both halves.
func murmur128(data []byte) (uint64, uint64) {
	const (
		c1 uint64 = 0x87c37b91114253d5
		c2 uint64 = 0x4cf5ad432745937f
	)
	var h1, h2 uint64
	n := len(data)
	i := 0
	for ; i+16 <= n; i += 16 {
		k1 := binary.LittleEndian.Uint64(data[i:])
		k2 := binary.LittleEndian.Uint64(data[i+8:])

		k1 *= c1
		k1 = bits.RotateLeft64(k1, 31)
		k1 *= c2
		h1 ^= k1
		h1 = bits.RotateLeft64(h1, 27)
		h1 += h2
		h1 = h1*5 + 0x52dce729

		k2 *= c2
		k2 = bits.RotateLeft64(k2, 33)
		k2 *= c1
		h2 ^= k2
		h2 = bits.RotateLeft64(h2, 31)
		h2 += h1
		h2 = h2*5 + 0x38495ab5
	}

	rest := data[i:]
	var k1, k2 uint64
	if len(rest) > 8 {
		for j := len(rest) - 1; j >= 8; j-- {
			k2 ^= uint64(rest[j]) << (8 * uint(j-8))
		}
		k2 *= c2
		k2 = bits.RotateLeft64(k2, 33)
		k2 *= c1
		h2 ^= k2
	}
	if len(rest) > 0 {
		top := len(rest)
		if top > 8 {
			top = 8
		}
		for j := top - 1; j >= 0; j-- {
			k1 ^= uint64(rest[j]) << (8 * uint(j))
		}
		k1 *= c1
		k1 = bits.RotateLeft64(k1, 31)
		k1 *= c2
		h1 ^= k1
	}

	h1 ^= uint64(n)
	h2 ^= uint64(n)
	h1 += h2
	h2 += h1
	h1 = fmix64(h1)
	h2 = fmix64(h2)
	h1 += h2
	h2 += h1
	return h1, h2
}

func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}
