module github.com/acme/store-tax-router

go 1.21

require github.com/TykTechnologies/tyk v1.9.2-0.20221129200023-767c8b336fa5
