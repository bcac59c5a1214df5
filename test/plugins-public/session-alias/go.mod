module tyk-demo/session

go 1.22

require github.com/TykTechnologies/tyk v1.9.2-0.20240604111314-25a8a36fe795
