package main

// IPRateLimit is a custom authentication hook that needs no credential: the
// client's IP address is the key. Every address gets its own session,
// limited to 2 requests per 10 seconds by the gateway's rate limiter.

import (
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
	"github.com/TykTechnologies/tyk/request"
	"github.com/TykTechnologies/tyk/user"
)

var logger = log.Get()

func IPRateLimit(rw http.ResponseWriter, r *http.Request) {
	ip := request.RealIP(r)
	logger.Info("request from ", ip)
	api := ctx.GetDefinition(r)
	session := &user.SessionState{
		OrgID:    api.OrgID,
		Alias:    "ip-session-" + ip,
		Rate:     2,
		Per:      10,
		KeyID:    ip,
		MetaData: map[string]interface{}{"token": ip},
		AccessRights: map[string]user.AccessDefinition{
			api.APIID: {APIID: api.APIID, APIName: api.Name},
		},
	}
	ctx.SetSession(r, session, true)
}

func init() {
	logger.Info("IP rate limiter loaded")
}

func main() {}
