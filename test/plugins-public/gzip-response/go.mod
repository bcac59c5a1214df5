module compressresponse

go 1.21

require github.com/TykTechnologies/tyk v1.9.2-0.20230324144826-c9898fdef7f4
