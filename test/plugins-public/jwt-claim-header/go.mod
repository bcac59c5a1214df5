module github.com/acme/tyk-plugins/add-header-from-claim

go 1.22

require (
	github.com/TykTechnologies/tyk v1.9.2-0.20230821131017-e8a262533ce6
	github.com/golang-jwt/jwt/v5 v5.2.2
)
