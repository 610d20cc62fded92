// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub uses ${...} placeholders
import { describe, expect, it } from "vitest";
import {
  IntrinsicError,
  type ResolveContext,
  resolveIntrinsics,
  resolveString,
} from "../src/intrinsics.js";

const refs: Record<string, string> = {
  Table: "intake-table",
  Topic: "arn:aws:sns:ap-east-1:000000000000:events",
  "AWS::Region": "ap-east-1",
  "AWS::URLSuffix": "amazonaws.com",
  Pool: "ap-east-1_local",
};
const atts: Record<string, string> = {
  "Queue.Arn": "arn:aws:sqs:ap-east-1:000000000000:inbox",
  "Table.StreamArn": "arn:stream",
};
const ctx: ResolveContext = { ref: (id) => refs[id], getAtt: (id, attr) => atts[`${id}.${attr}`] };

describe("intrinsic resolver", () => {
  it("resolves Ref and both Fn::GetAtt forms", () => {
    expect(resolveIntrinsics({ Ref: "Table" }, ctx, "F")).toBe("intake-table");
    expect(resolveIntrinsics({ "Fn::GetAtt": ["Queue", "Arn"] }, ctx, "F")).toBe(
      "arn:aws:sqs:ap-east-1:000000000000:inbox",
    );
    expect(resolveIntrinsics({ "Fn::GetAtt": "Table.StreamArn" }, ctx, "F")).toBe("arn:stream");
  });

  it("resolves Fn::Join as CDK writes the Cognito issuer", () => {
    const issuer = {
      "Fn::Join": [
        "",
        [
          "https://cognito-idp.",
          { Ref: "AWS::Region" },
          ".",
          { Ref: "AWS::URLSuffix" },
          "/",
          { Ref: "Pool" },
        ],
      ],
    };
    expect(resolveString(issuer, ctx, "F")).toBe(
      "https://cognito-idp.ap-east-1.amazonaws.com/ap-east-1_local",
    );
  });

  it("resolves Fn::Sub with refs, attributes, variables and ${!literals}", () => {
    expect(
      resolveString({ "Fn::Sub": "${Table}/${Queue.Arn}/${AWS::Region}/${!Keep}" }, ctx, "F"),
    ).toBe("intake-table/arn:aws:sqs:ap-east-1:000000000000:inbox/ap-east-1/${Keep}");
    expect(
      resolveString({ "Fn::Sub": ["${A}-${Table}", { A: { Ref: "AWS::Region" } }] }, ctx, "F"),
    ).toBe("ap-east-1-intake-table");
  });

  it("resolves Fn::Select/Fn::Split and drops AWS::NoValue", () => {
    expect(
      resolveIntrinsics(
        { "Fn::Select": [5, { "Fn::Split": [":", { "Fn::GetAtt": ["Queue", "Arn"] }] }] },
        ctx,
        "F",
      ),
    ).toBe("inbox");
    expect(
      resolveIntrinsics({ a: { Ref: "AWS::NoValue" }, b: [1, { Ref: "AWS::NoValue" }] }, ctx, "F"),
    ).toEqual({ b: [1] });
  });

  it("walks nested structures (a redrive policy)", () => {
    expect(
      resolveIntrinsics(
        { deadLetterTargetArn: { "Fn::GetAtt": ["Queue", "Arn"] }, maxReceiveCount: 5 },
        ctx,
        "Q",
      ),
    ).toEqual({
      deadLetterTargetArn: "arn:aws:sqs:ap-east-1:000000000000:inbox",
      maxReceiveCount: 5,
    });
  });

  it("fails with an error naming the resource and property", () => {
    expect(() =>
      resolveIntrinsics({ Ref: "Missing" }, ctx, "ApiFn Environment.Variables.X"),
    ).toThrow(/ApiFn Environment\.Variables\.X: cannot resolve Ref Missing/);
    expect(() => resolveIntrinsics({ "Fn::GetAtt": ["Table", "Nope"] }, ctx, "ApiFn.Y")).toThrow(
      /ApiFn\.Y: .*Table\.Nope/,
    );
    expect(() => resolveIntrinsics({ "Fn::ImportValue": "x" }, ctx, "ApiFn.Z")).toThrow(
      IntrinsicError,
    );
    expect(() => resolveIntrinsics({ "Fn::ImportValue": "x" }, ctx, "ApiFn.Z")).toThrow(
      /ApiFn\.Z: intrinsic Fn::ImportValue is not supported/,
    );
    expect(() => resolveString({ "Fn::Split": [",", "a,b"] }, ctx, "F.S")).toThrow(
      /F\.S: expected a string/,
    );
  });
});
