import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  breadcrumb,
  breadcrumbsEntry,
  chainEvents,
  code,
  DAY,
  daysAgo,
  errorEvent,
  eventRelease,
  exceptionEntry,
  exceptionValue,
  HOUR,
  hexId,
  issueDetails,
  libraryFrame,
  MIN,
  organization,
  type ProjectDef,
  projectJson,
  release,
  releaseStub,
  releasesOf,
  requestEntry,
  sourceFrame,
  tagDistribution,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S13: a Rails NoMethodError in the loyalty service, whose repository exists but is not connected to the
 * server. With no source to read, the root-cause stage has nothing to verify a culprit against and must say
 * so instead of guessing from file names in the stack.
 */

const LOYALTY: ProjectDef = { id: 4631, slug: "loyalty", platform: "ruby-rails" };
const REPO = "acme/loyalty-service";

const OLIVIA = { author: "Olivia Grant", email: "olivia.grant@acme.shop" };
const KENJI = { author: "Kenji Mori", email: "kenji.mori@acme.shop" };

const gemfile = (rails: string) =>
  code(`
source "https://rubygems.org"

ruby "3.3.6"

gem "rails", "${rails}"
gem "pg", "~> 1.5"
gem "puma", "~> 6.5"
gem "sentry-ruby", "~> 5.22"
gem "sentry-rails", "~> 5.22"
`);

const sentryInit = code(`
Sentry.init do |config|
  config.dsn = ENV["SENTRY_DSN"]
  config.release = ENV["RELEASE"]
  config.environment = ENV.fetch("APP_ENV", "development")
  config.breadcrumbs_logger = [:active_support_logger, :http_logger]
  config.traces_sample_rate = 0.2
end
`);

const memberV0 = code(`
class Member < ApplicationRecord
  has_many :point_entries, dependent: :destroy

  def balance
    point_entries.sum(:points)
  end
end
`);

const memberV1 = code(`
class Member < ApplicationRecord
  # Members who joined before tiers existed have none.
  belongs_to :tier, optional: true
  has_many :point_entries, dependent: :destroy

  def balance
    point_entries.sum(:points)
  end
end
`);

const tierV0 = code(`
class Tier < ApplicationRecord
  has_many :members

  # Points earned per euro spent.
  validates :multiplier, numericality: { greater_than: 0 }
end
`);

const calculatorV0 = code(`
class PointsCalculator
  BASE_POINTS_PER_EURO = 1

  def initialize(member)
    @member = member
  end

  def calculate(order_total_cents)
    euros = order_total_cents / 100
    (euros * BASE_POINTS_PER_EURO).floor
  end
end
`);

const calculatorV1 = code(`
class PointsCalculator
  BASE_POINTS_PER_EURO = 1

  def initialize(member)
    @member = member
  end

  def calculate(order_total_cents)
    euros = order_total_cents / 100
    (euros * BASE_POINTS_PER_EURO * @member.tier.multiplier).floor
  end
end
`);

const controller = code(`
class PointsController < ApplicationController
  def create
    member = Member.find_by!(customer_id: params.require(:customer_id))
    points = PointsCalculator.new(member).calculate(params.require(:order_total_cents).to_i)
    member.point_entries.create!(points: points, order_id: params.require(:order_id))
    render json: { points: points, balance: member.balance }, status: :created
  end
end
`);

const appController = code(`
class ApplicationController < ActionController::API
end
`);

const appRecord = code(`
class ApplicationRecord < ActiveRecord::Base
  primary_abstract_class
end
`);

const repo: RepoSpec = {
  name: REPO,
  projects: [LOYALTY.slug],
  connected: false,
  commits: [
    {
      ...OLIVIA,
      message: "loyalty: award points for orders",
      date: daysAgo(122),
      files: {
        Gemfile: gemfile("~> 7.2.1"),
        "config/initializers/sentry.rb": sentryInit,
        "app/controllers/application_controller.rb": appController,
        "app/controllers/points_controller.rb": controller,
        "app/models/application_record.rb": appRecord,
        "app/models/member.rb": memberV0,
        "app/services/points_calculator.rb": calculatorV0,
      },
    },
    {
      ...KENJI,
      message: "tiers: silver and gold members earn more points per euro (#29)",
      date: daysAgo(6.4),
      files: {
        "app/models/member.rb": memberV1,
        "app/models/tier.rb": tierV0,
        "app/services/points_calculator.rb": calculatorV1,
      },
    },
    {
      ...OLIVIA,
      message: "gems: rails 7.2.2",
      date: daysAgo(6.2),
      files: { Gemfile: gemfile("~> 7.2.2") },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "loyalty@2026.11.22",
  id: 52_400_122,
  project: LOYALTY,
  repo,
  repoId: "0",
  commits: [],
  createdMs: ago(6 * DAY),
  newGroups: 1,
  lastEventMs: ago(11 * MIN),
});

const ISSUE = "7430029";
const SHORT = "LOYALTY-7";
const VALUE = "undefined method `multiplier' for nil";
const TITLE = `NoMethodError: ${VALUE}`;
const EVENTS = [
  {
    id: hexId("s13:event:1"),
    ms: ago(5 * DAY + 20 * HOUR),
    customer: "cus_71be02",
    order: "ord_5Qm2Kd",
    total: 4_590,
  },
  { id: hexId("s13:event:2"), ms: ago(11 * MIN), customer: "cus_0c44d9", order: "ord_9Zt6Wb", total: 12_800 },
];

const gem = (path: string, fn: string, lineNo: number) =>
  libraryFrame({ filename: path, absPath: `/usr/local/bundle/gems/${path}`, fn, lineNo });
const rails = (src: string, path: string, fn: string, at: string) =>
  sourceFrame({ src, at, fn, filename: path, absPath: `/rails/${path}` });

function frames(): Json[] {
  return [
    gem("puma-6.5.0/lib/puma/thread_pool.rb", "block in spawn_thread", 155),
    gem("puma-6.5.0/lib/puma/server.rb", "handle_request", 468),
    gem("actionpack-7.2.2/lib/action_controller/metal.rb", "dispatch", 252),
    gem("actionpack-7.2.2/lib/abstract_controller/base.rb", "process_action", 226),
    gem("actionpack-7.2.2/lib/action_controller/metal/basic_implicit_render.rb", "send_action", 8),
    rails(
      controller,
      "app/controllers/points_controller.rb",
      "create",
      "PointsCalculator.new(member).calculate(",
    ),
    rails(calculatorV1, "app/services/points_calculator.rb", "calculate", "@member.tier.multiplier"),
  ];
}

function pointsEvent(e: (typeof EVENTS)[number]): Json {
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: LOYALTY,
    platform: "ruby",
    title: TITLE,
    culprit: "PointsCalculator#calculate",
    location: "app/services/points_calculator.rb",
    dateMs: e.ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "NoMethodError",
          value: VALUE,
          mechanism: { type: "rails", handled: false },
          frames: frames(),
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(e.ms - 12, "default", "start_processing.action_controller", null, {
          controller: "PointsController",
          action: "create",
          method: "POST",
          path: "/v1/points",
        }),
        breadcrumb(e.ms - 7, "default", "sql.active_record", null, {
          sql: 'SELECT "members".* FROM "members" WHERE "members"."customer_id" = $1 LIMIT $2',
          name: "Member Load",
        }),
        breadcrumb(e.ms - 3, "default", "sql.active_record", null, {
          sql: 'SELECT "tiers".* FROM "tiers" WHERE "tiers"."id" = $1 LIMIT $2',
          name: "Tier Load",
        }),
      ]),
      requestEntry({
        method: "POST",
        url: "https://loyalty.acme.shop/v1/points",
        headers: [
          ["Content-Type", "application/json"],
          ["User-Agent", "orders-api/1.19.0"],
        ],
        data: { customer_id: e.customer, order_id: e.order, order_total_cents: e.total },
        inferredContentType: "application/json",
      }),
    ],
    tags: {
      environment: "production",
      handled: "no",
      level: "error",
      mechanism: "rails",
      release: REL.version,
      "runtime.name": "ruby",
      server_name: "loyalty-web-1",
      transaction: "PointsController#create",
      url: "https://loyalty.acme.shop/v1/points",
    },
    contexts: {
      trace: {
        trace_id: hexId(`s13:trace:${e.id}`),
        span_id: hexId(`s13:span:${e.id}`, 16),
        op: "http.server",
        status: "internal_error",
        origin: "auto.http.rails",
        sampled: true,
        type: "trace",
      },
      runtime: {
        name: "ruby",
        version: "ruby 3.3.6 (2024-11-05 revision 75015d4c1f) [x86_64-linux]",
        type: "runtime",
      },
    },
    sdk: { name: "sentry.ruby.rails", version: "5.22.1" },
    release: eventRelease(REL),
    metadata: {
      type: "NoMethodError",
      value: VALUE,
      filename: "app/services/points_calculator.rb",
      function: "calculate",
    },
  });
}

const first = 5 * DAY + 20 * HOUR;
const tags = [
  tagDistribution("environment", [["production", 74, first, 11 * MIN]]),
  tagDistribution("release", [[REL.version, 74, first, 11 * MIN]]),
  tagDistribution("transaction", [["PointsController#create", 74, first, 11 * MIN]]),
];

export const s13: CorpusScenario = {
  name: "s13-repo-not-connected",
  story:
    `LOYALTY-7: POST /v1/points fails with NoMethodError: ${VALUE} in PointsCalculator#calculate ` +
    "(app/services/points_calculator.rb), called from PointsController#create. The loyalty project's code lives " +
    "in acme/loyalty-service, which is not connected to this server, and Sentry has no commits for the release " +
    "and no suspect commits. An engineer with the source would look at how tier multipliers are read for members " +
    "without a tier, but the stage cannot read or verify any of that. It must report that no repository is " +
    "connected for the project and give no culprit file, rather than guess one from the frame paths.",
  issue: SHORT,
  repos: [repo],
  expected: { verdict: "unknown" },
  sentry: {
    organization: organization(),
    projects: [projectJson(LOYALTY, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: LOYALTY,
          title: TITLE,
          culprit: "PointsCalculator#calculate",
          platform: "ruby",
          metadata: {
            type: "NoMethodError",
            value: VALUE,
            filename: "app/services/points_calculator.rb",
            function: "calculate",
            in_app_frame_mix: "mixed",
          },
          substatus: "ongoing",
          count: 74,
          userCount: 61,
          firstSeenMs: ago(first),
          lastSeenMs: EVENTS[1]!.ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(pointsEvent)),
        tags,
      },
    ],
    ...releasesOf([REL]),
  },
};
