module multiplehooks

go 1.20

require github.com/TykTechnologies/tyk v1.9.2-0.20220824110427-3129a8f764b3
