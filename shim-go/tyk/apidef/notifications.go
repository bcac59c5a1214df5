package apidef

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"time"

	logger "github.com/TykTechnologies/tyk/log"
)

// notificationClient is Tyk's client for OAuth key-change notifications:
// 5 s to connect and to shake hands, 10 s in all.
var notificationClient = &http.Client{
	Timeout: 10 * time.Second,
	Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		TLSHandshakeTimeout: 5 * time.Second,
	},
}

// SendRequest POSTs notification as JSON to OAuthKeyChangeURL (nothing
// when it is empty), with the shared secret in X-Tyk-Shared-Secret. A
// failure or a status other than 200 is logged and retried 10 s later, up
// to attempt 3 (count is the number of attempts made; wait sleeps 10 s
// before this one). It blocks until done, as in Tyk: call it in a goroutine.
func (n NotificationsManager) SendRequest(wait bool, count int, notification interface{}) {
	if n.OAuthKeyChangeURL == "" {
		return
	}
	if wait {
		if count >= 3 {
			logger.Get().Error("Too many notification attempts, aborting.")
			return
		}
		time.Sleep(10 * time.Second)
	}
	body, err := json.Marshal(notification)
	if err != nil {
		logger.Get().Error("Error Marshaling the notification body:", err)
		return
	}
	req, err := http.NewRequest(http.MethodPost, n.OAuthKeyChangeURL, bytes.NewReader(body))
	if err != nil {
		logger.Get().Error("Cannot create a new notification request:", err)
		return
	}
	req.Header.Set("User-Agent", "Tyk-Gatewy-Notifications") // sic: Tyk's spelling
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Tyk-Shared-Secret", n.SharedSecret)
	resp, err := notificationClient.Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	switch {
	case err != nil:
		logger.Get().Error("Request failed, trying again in 10s. Error was: ", err)
	case resp.StatusCode != http.StatusOK:
		logger.Get().Error("Request returned non-200 status, trying again in 10s.")
	default:
		return
	}
	n.SendRequest(true, count+1, notification)
}
