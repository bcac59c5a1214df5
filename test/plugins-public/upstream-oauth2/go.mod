module github.com/acme/upstream-oauth

go 1.21

require github.com/TykTechnologies/tyk v1.9.2-0.20230821131017-e8a262533ce6
