export default ["packages/*", "examples"]
