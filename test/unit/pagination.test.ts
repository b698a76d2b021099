import { describe, expect, it } from "vitest";
import { parseLinkHeader } from "../../src/sentry/pagination.ts";

describe("parseLinkHeader", () => {
  it("follows next only while results is true", () => {
    const header =
      '<https://us.sentry.io/api/0/organizations/acme/issues/?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <https://us.sentry.io/api/0/organizations/acme/issues/?cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"';
    expect(parseLinkHeader(header)).toEqual({ next: "0:100:0", previous: null });
  });

  it("reports no next page on the last page", () => {
    const header =
      '<u?cursor=0:0:1>; rel="previous"; results="true"; cursor="0:0:1", <u?cursor=0:200:0>; rel="next"; results="false"; cursor="0:200:0"';
    expect(parseLinkHeader(header)).toEqual({ next: null, previous: "0:0:1" });
  });

  it("reads the cursor from the URL when the cursor attribute is missing, and tolerates commas in URLs", () => {
    const header = '<https://x/api/0/a/?query=a,b&cursor=1735689600000:0:0>; rel="next"; results="true"';
    expect(parseLinkHeader(header).next).toBe("1735689600000:0:0");
  });

  it("handles absent and malformed headers", () => {
    expect(parseLinkHeader(undefined)).toEqual({ next: null, previous: null });
    expect(parseLinkHeader("garbage")).toEqual({ next: null, previous: null });
  });
});
