module github.com/acme/tyk-plugins/jwt

go 1.21

require (
	github.com/TykTechnologies/tyk v1.9.2-0.20230606201232-e599d84bdfd1
	github.com/golang-jwt/jwt/v4 v4.5.2
)
