#include <catch2/catch.hpp>

#include "validate/sigv4.hpp"

using namespace nhi::validate;

namespace {
SigV4Request request(std::string method, std::string host, std::string query, std::string service, std::string secret) {
    SigV4Request r;
    r.method = std::move(method);
    r.host = std::move(host);
    r.query = std::move(query);
    r.region = "us-east-1";
    r.service = std::move(service);
    r.key_id = "AKIDEXAMPLE";
    r.secret = std::move(secret);
    r.time = 1440938160;  // 2015-08-30T12:36:00Z
    return r;
}
}  // namespace

// AWS's documented example ("Signature Version 4 signing process", the IAM ListUsers request):
// GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08 at 20150830T123600Z,
// key id AKIDEXAMPLE, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1/iam, signed
// headers content-type;host;x-amz-date. The documentation gives the signature
// 5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7. It can be re-derived with
// openssl alone: k1 = HMAC("AWS4"+secret, "20150830"), then `openssl dgst -sha256 -mac HMAC
// -macopt hexkey:<k>` over "us-east-1", "iam", "aws4_request" and finally the string to sign.
TEST_CASE("sigv4: AWS's documented IAM ListUsers example", "[validate][sigv4]") {
    auto r = request("GET", "iam.amazonaws.com", "Action=ListUsers&Version=2010-05-08", "iam",
                     "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    auto s = sign_v4(r);
    CHECK(s.amz_date == "20150830T123600Z");
    CHECK(s.canonical_request ==
          "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
          "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
          "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(s.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    CHECK(s.authorization ==
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
          "SignedHeaders=content-type;host;x-amz-date, "
          "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST_CASE("sigv4: the query is sorted and re-encoded, the body hashed", "[validate][sigv4]") {
    auto r = request("POST", "STS.amazonaws.com", "b=2&a=x%20y&c=a+b", "sts", "secret");
    r.body = "Action=GetCallerIdentity&Version=2011-06-15";
    auto s = sign_v4(r);
    CHECK(s.canonical_request.find("\na=x%20y&b=2&c=a%20b\n") != std::string::npos);
    CHECK(s.canonical_request.find("host:sts.amazonaws.com\n") != std::string::npos);
    // sha256("Action=GetCallerIdentity&Version=2011-06-15")
    CHECK(s.canonical_request.substr(s.canonical_request.rfind('\n') + 1) ==
          "ab821ae955788b0e33ebd34c208442ccfc2d406e2edc5e7a39bd6458fbb4f843");
    r.secret = "other";
    CHECK(sign_v4(r).signature != s.signature);
}
