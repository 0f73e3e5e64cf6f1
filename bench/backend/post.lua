-- wrk script: POST a task with the bearer token from the TOKEN environment variable.
wrk.method = "POST"
wrk.body = '{"title": "bench task", "description": "created by wrk"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
