module github.com/acme/add-headers-from-config-data

go 1.20

require github.com/TykTechnologies/tyk v1.9.2-0.20220711082452-7b07f4c2fd27
