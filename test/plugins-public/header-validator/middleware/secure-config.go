package middleware

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"net/http"
	"os"

	"plugin-dev/util/ctx"
	"plugin-dev/util/logger"
)

// aesKey is SECRETS_AES_KEY: 32 bytes, base64.
func aesKey() ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(os.Getenv("SECRETS_AES_KEY"))
	if err != nil {
		return nil, err
	}
	if len(key) != 32 {
		return nil, errors.New("SECRETS_AES_KEY must be 32 bytes")
	}
	return key, nil
}

// decrypt opens base64(iv || AES-256-CFB ciphertext).
func decrypt(key []byte, sealed string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, err
	}
	if len(data) < aes.BlockSize {
		return nil, errors.New("ciphertext too short")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	iv, text := data[:aes.BlockSize], data[aes.BlockSize:]
	cipher.NewCFBDecrypter(block, iv).XORKeyStream(text, text)
	return text, nil
}

// AddApiKeyToHeader decrypts config_data.apikey and sends it upstream as ApiKey.
func AddApiKeyToHeader(rw http.ResponseWriter, r *http.Request) {
	sealed, ok := ctx.ConfigString(r, "apikey")
	if !ok {
		return
	}
	key, err := aesKey()
	if err != nil {
		logger.Info("cannot load the AES key: " + err.Error())
		return
	}
	plain, err := decrypt(key, sealed)
	if err != nil {
		logger.Info("cannot decrypt config_data.apikey: " + err.Error())
		return
	}
	r.Header.Set("ApiKey", string(plain))
}
