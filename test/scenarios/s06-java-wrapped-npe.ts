import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  breadcrumb,
  breadcrumbsEntry,
  chainEvents,
  code,
  committersPayload,
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
  logRows,
  MIN,
  organization,
  type ProjectDef,
  projectJson,
  release,
  releaseStub,
  releasesOf,
  requestEntry,
  sentryCommit,
  sourceFrame,
  tagDistribution,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S06: Spring wraps a NullPointerException in NestedServletException. The NPE comes from
 * OrderService.applyDiscount, which since #301 looks coupons up directly and dereferences the null returned
 * for unknown or expired codes (the validator that turned that into a 422 was removed).
 */

const ORDERS: ProjectDef = { id: 4561, slug: "order-service", platform: "java-spring-boot" };
const REPO = "acme/order-service";
const PKG = "src/main/java/com/acme/orders";

const MARTA = { author: "Marta Nowak", email: "marta.nowak@acme.shop" };
const SAM = { author: "Sam Okafor", email: "sam.okafor@acme.shop" };

const pom = (boot: string) =>
  code(`
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>${boot}</version>
  </parent>
  <groupId>com.acme</groupId>
  <artifactId>order-service</artifactId>
  <version>5.8.0</version>
  <properties>
    <java.version>17</java.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-data-jpa</artifactId>
    </dependency>
    <dependency>
      <groupId>org.postgresql</groupId>
      <artifactId>postgresql</artifactId>
      <scope>runtime</scope>
    </dependency>
    <dependency>
      <groupId>io.sentry</groupId>
      <artifactId>sentry-spring-boot-starter</artifactId>
      <version>7.18.1</version>
    </dependency>
  </dependencies>
</project>
`);

const applicationYml = code(`
spring:
  datasource:
    url: \${DATABASE_URL}
  jpa:
    open-in-view: false
sentry:
  dsn: \${SENTRY_DSN:}
  release: \${RELEASE:}
  environment: \${APP_ENV:development}
  in-app-includes: com.acme
  traces-sample-rate: 0.2
`);

const application = code(`
package com.acme.orders;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
public class OrdersApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
`);

const order = code(`
package com.acme.orders.domain;

import java.math.BigDecimal;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

@Entity
@Table(name = "orders")
public class Order {

    @Id
    private Long id;
    private String currency;
    private BigDecimal subtotal;
    private BigDecimal discount = BigDecimal.ZERO;
    private String couponCode;

    protected Order() {}

    public Long getId() {
        return id;
    }

    public String getCurrency() {
        return currency;
    }

    public BigDecimal getSubtotal() {
        return subtotal;
    }

    public BigDecimal getDiscount() {
        return discount;
    }

    public String getCouponCode() {
        return couponCode;
    }

    public BigDecimal getTotal() {
        return subtotal.subtract(discount);
    }

    public void applyDiscount(String code, BigDecimal amount) {
        this.couponCode = code;
        this.discount = amount;
    }
}
`);

const coupon = code(`
package com.acme.orders.domain;

import java.math.BigDecimal;
import java.time.Instant;
import javax.persistence.Entity;
import javax.persistence.Id;
import javax.persistence.Table;

@Entity
@Table(name = "coupons")
public class Coupon {

    @Id
    private Long id;
    private String code;
    private int percentOff;
    private BigDecimal maxDiscount;
    private Instant validFrom;
    private Instant validUntil;

    protected Coupon() {}

    public String getCode() {
        return code;
    }

    public int getPercentOff() {
        return percentOff;
    }

    /** Cap on the discount in the order's currency; null means uncapped. */
    public BigDecimal getMaxDiscount() {
        return maxDiscount;
    }

    public Instant getValidFrom() {
        return validFrom;
    }

    public Instant getValidUntil() {
        return validUntil;
    }
}
`);

const orderRepository = code(`
package com.acme.orders.repository;

import com.acme.orders.domain.Order;
import org.springframework.data.jpa.repository.JpaRepository;

public interface OrderRepository extends JpaRepository<Order, Long> {}
`);

const couponRepositoryV0 = code(`
package com.acme.orders.repository;

import com.acme.orders.domain.Coupon;
import org.springframework.data.jpa.repository.JpaRepository;

public interface CouponRepository extends JpaRepository<Coupon, Long> {

    /** Null when no coupon has this code. */
    Coupon findByCode(String code);
}
`);

const couponRepositoryV1 = code(`
package com.acme.orders.repository;

import com.acme.orders.domain.Coupon;
import java.time.Instant;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface CouponRepository extends JpaRepository<Coupon, Long> {

    /** Null when no coupon with this code is active at {@code now} (unknown, not started yet, or expired). */
    @Query("select c from Coupon c where c.code = :code and c.validFrom <= :now"
            + " and (c.validUntil is null or c.validUntil > :now)")
    Coupon findActiveByCode(@Param("code") String code, @Param("now") Instant now);
}
`);

const invalidCoupon = code(`
package com.acme.orders.service;

public class InvalidCouponException extends RuntimeException {

    private final String code;

    public InvalidCouponException(String code) {
        super("coupon " + code + " is not valid");
        this.code = code;
    }

    public String getCode() {
        return code;
    }
}
`);

const orderNotFound = code(`
package com.acme.orders.service;

public class OrderNotFoundException extends RuntimeException {

    public OrderNotFoundException(long orderId) {
        super("order " + orderId + " not found");
    }
}
`);

const couponValidatorV0 = code(`
package com.acme.orders.service;

import com.acme.orders.domain.Coupon;
import com.acme.orders.repository.CouponRepository;
import java.util.Locale;
import org.springframework.stereotype.Component;

@Component
public class CouponValidator {

    private final CouponRepository coupons;

    public CouponValidator(CouponRepository coupons) {
        this.coupons = coupons;
    }

    public Coupon validate(String code) {
        Coupon coupon = coupons.findByCode(code.trim().toUpperCase(Locale.ROOT));
        if (coupon == null) {
            throw new InvalidCouponException(code);
        }
        return coupon;
    }
}
`);

const couponValidatorV1 = code(`
package com.acme.orders.service;

import com.acme.orders.domain.Coupon;
import com.acme.orders.repository.CouponRepository;
import java.time.Instant;
import java.util.Locale;
import org.springframework.stereotype.Component;

@Component
public class CouponValidator {

    private final CouponRepository coupons;

    public CouponValidator(CouponRepository coupons) {
        this.coupons = coupons;
    }

    public Coupon validate(String code, Instant now) {
        Coupon coupon = coupons.findActiveByCode(code.trim().toUpperCase(Locale.ROOT), now);
        if (coupon == null) {
            throw new InvalidCouponException(code);
        }
        return coupon;
    }
}
`);

const orderServiceV0 = code(`
package com.acme.orders.service;

import com.acme.orders.domain.Coupon;
import com.acme.orders.domain.Order;
import com.acme.orders.repository.OrderRepository;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class OrderService {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final OrderRepository orderRepository;
    private final CouponValidator couponValidator;

    public OrderService(OrderRepository orderRepository, CouponValidator couponValidator) {
        this.orderRepository = orderRepository;
        this.couponValidator = couponValidator;
    }

    @Transactional
    public Order applyDiscount(long orderId, String couponCode) {
        Order order = orderRepository.findById(orderId).orElseThrow(() -> new OrderNotFoundException(orderId));
        Coupon coupon = couponValidator.validate(couponCode);
        BigDecimal discount = order.getSubtotal()
                .multiply(BigDecimal.valueOf(coupon.getPercentOff()))
                .divide(HUNDRED, 2, RoundingMode.HALF_UP);
        if (coupon.getMaxDiscount() != null) {
            discount = discount.min(coupon.getMaxDiscount());
        }
        order.applyDiscount(coupon.getCode(), discount);
        return order;
    }
}
`);

const orderServiceV1 = code(`
package com.acme.orders.service;

import com.acme.orders.domain.Coupon;
import com.acme.orders.domain.Order;
import com.acme.orders.repository.OrderRepository;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class OrderService {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final OrderRepository orderRepository;
    private final CouponValidator couponValidator;
    private final Clock clock;

    public OrderService(OrderRepository orderRepository, CouponValidator couponValidator, Clock clock) {
        this.orderRepository = orderRepository;
        this.couponValidator = couponValidator;
        this.clock = clock;
    }

    @Transactional
    public Order applyDiscount(long orderId, String couponCode) {
        Order order = orderRepository.findById(orderId).orElseThrow(() -> new OrderNotFoundException(orderId));
        Coupon coupon = couponValidator.validate(couponCode, clock.instant());
        BigDecimal discount = order.getSubtotal()
                .multiply(BigDecimal.valueOf(coupon.getPercentOff()))
                .divide(HUNDRED, 2, RoundingMode.HALF_UP);
        if (coupon.getMaxDiscount() != null) {
            discount = discount.min(coupon.getMaxDiscount());
        }
        order.applyDiscount(coupon.getCode(), discount);
        return order;
    }
}
`);

const orderServiceV2 = code(`
package com.acme.orders.service;

import com.acme.orders.domain.Coupon;
import com.acme.orders.domain.Order;
import com.acme.orders.repository.CouponRepository;
import com.acme.orders.repository.OrderRepository;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.Locale;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class OrderService {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final OrderRepository orderRepository;
    private final CouponRepository couponRepository;
    private final Clock clock;

    public OrderService(OrderRepository orderRepository, CouponRepository couponRepository, Clock clock) {
        this.orderRepository = orderRepository;
        this.couponRepository = couponRepository;
        this.clock = clock;
    }

    @Transactional
    public Order applyDiscount(long orderId, String couponCode) {
        Order order = orderRepository.findById(orderId).orElseThrow(() -> new OrderNotFoundException(orderId));
        Coupon coupon = couponRepository.findActiveByCode(couponCode.trim().toUpperCase(Locale.ROOT), clock.instant());
        BigDecimal discount = order.getSubtotal()
                .multiply(BigDecimal.valueOf(coupon.getPercentOff()))
                .divide(HUNDRED, 2, RoundingMode.HALF_UP);
        if (coupon.getMaxDiscount() != null) {
            discount = discount.min(coupon.getMaxDiscount());
        }
        order.applyDiscount(coupon.getCode(), discount);
        return order;
    }
}
`);

const applyCouponRequest = code(`
package com.acme.orders.web;

public record ApplyCouponRequest(String code) {}
`);

const orderResponse = code(`
package com.acme.orders.web;

import com.acme.orders.domain.Order;
import java.math.BigDecimal;

public record OrderResponse(long id, String currency, BigDecimal subtotal, BigDecimal discount, BigDecimal total,
        String couponCode) {

    public static OrderResponse from(Order order) {
        return new OrderResponse(order.getId(), order.getCurrency(), order.getSubtotal(), order.getDiscount(),
                order.getTotal(), order.getCouponCode());
    }
}
`);

const controller = code(`
package com.acme.orders.web;

import com.acme.orders.service.InvalidCouponException;
import com.acme.orders.service.OrderService;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/orders")
public class OrderController {

    private static final Logger log = LoggerFactory.getLogger(OrderController.class);

    private final OrderService orderService;

    public OrderController(OrderService orderService) {
        this.orderService = orderService;
    }

    @PostMapping("/{orderId}/coupon")
    public OrderResponse applyCoupon(@PathVariable long orderId, @RequestBody ApplyCouponRequest request) {
        log.info("Applying coupon {} to order {}", request.code(), orderId);
        return OrderResponse.from(orderService.applyDiscount(orderId, request.code()));
    }

    @ExceptionHandler(InvalidCouponException.class)
    @ResponseStatus(HttpStatus.UNPROCESSABLE_ENTITY)
    public Map<String, String> invalidCoupon(InvalidCouponException e) {
        return Map.of("error", "invalid_coupon", "code", e.getCode());
    }
}
`);

const repo: RepoSpec = {
  name: REPO,
  projects: [ORDERS.slug],
  commits: [
    {
      ...MARTA,
      message: "order-service: apply coupon codes to orders",
      date: daysAgo(83),
      files: {
        "pom.xml": pom("2.7.14"),
        "src/main/resources/application.yml": applicationYml,
        [`${PKG}/OrdersApplication.java`]: application,
        [`${PKG}/domain/Order.java`]: order,
        [`${PKG}/domain/Coupon.java`]: coupon,
        [`${PKG}/repository/OrderRepository.java`]: orderRepository,
        [`${PKG}/repository/CouponRepository.java`]: couponRepositoryV0,
        [`${PKG}/service/InvalidCouponException.java`]: invalidCoupon,
        [`${PKG}/service/OrderNotFoundException.java`]: orderNotFound,
        [`${PKG}/service/CouponValidator.java`]: couponValidatorV0,
        [`${PKG}/service/OrderService.java`]: orderServiceV0,
        [`${PKG}/web/ApplyCouponRequest.java`]: applyCouponRequest,
        [`${PKG}/web/OrderResponse.java`]: orderResponse,
        [`${PKG}/web/OrderController.java`]: controller,
      },
    },
    {
      ...SAM,
      message:
        "coupons: honour campaign start and end dates (#288)\n\nfindActiveByCode returns null outside [validFrom, validUntil).",
      date: daysAgo(23),
      files: {
        [`${PKG}/repository/CouponRepository.java`]: couponRepositoryV1,
        [`${PKG}/service/CouponValidator.java`]: couponValidatorV1,
        [`${PKG}/service/OrderService.java`]: orderServiceV1,
      },
    },
    {
      ...SAM,
      message:
        "orders: look coupons up directly, drop CouponValidator (#301)\n\nThe validator only wrapped the repository call; one bean less on the hot path.",
      date: daysAgo(8.2),
      files: {
        [`${PKG}/service/CouponValidator.java`]: null,
        [`${PKG}/service/OrderService.java`]: orderServiceV2,
      },
    },
    {
      ...MARTA,
      message: "build: Spring Boot 2.7.18 (#304)",
      date: daysAgo(7.9),
      files: { "pom.xml": pom("2.7.18") },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "order-service@5.8.0",
  id: 51_700_580,
  project: ORDERS,
  repo,
  repoId: "111",
  commits: [2, 3],
  createdMs: ago(7 * DAY + 18 * HOUR),
  newGroups: 2,
  lastEventMs: ago(7 * MIN),
});

const ISSUE = "7360518";
const SHORT = "ORDER-SERVICE-2D";
const NPE_MESSAGE = 'Cannot invoke "com.acme.orders.domain.Coupon.getPercentOff()" because "coupon" is null';
const WRAPPER_MESSAGE = `Request processing failed; nested exception is java.lang.NullPointerException: ${NPE_MESSAGE}`;
const TITLE = `NestedServletException: ${WRAPPER_MESSAGE}`;
const EVENTS = [
  { id: hexId("s06:event:1"), ms: ago(7 * DAY + 11 * HOUR), order: 48_107, code: "WELCOME-10" },
  { id: hexId("s06:event:2"), ms: ago(7 * MIN), order: 48_213, code: "BLACKFRIDAY25" },
];

const java = (cls: string, fn: string, lineNo: number | null, file?: string) => {
  const simple = cls.split(".").at(-1)!.split("$")[0]!;
  const filename = file ?? `${simple}.java`;
  return libraryFrame({ filename, absPath: filename, module: cls, fn, lineNo, platform: "java" });
};
const appFrame = (src: string, cls: string, fn: string, at: string) => {
  const filename = `${cls.split(".").at(-1)}.java`;
  return sourceFrame({ src, at, fn, filename, absPath: filename, module: cls, platform: "java" });
};

/** Thread.run … FrameworkServlet.processRequest: the part both exceptions share. */
function servletFrames(): Json[] {
  return [
    java("java.lang.Thread", "run", 840),
    java("org.apache.tomcat.util.threads.TaskThread$WrappingRunnable", "run", 61, "TaskThread.java"),
    java("org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker", "run", 659, "ThreadPoolExecutor.java"),
    java("org.apache.tomcat.util.threads.ThreadPoolExecutor", "runWorker", 1191),
    java("org.apache.tomcat.util.net.SocketProcessorBase", "run", 49),
    java("org.apache.coyote.AbstractProtocol$ConnectionHandler", "process", 926, "AbstractProtocol.java"),
    java("org.apache.coyote.http11.Http11Processor", "service", 399),
    java("org.apache.catalina.connector.CoyoteAdapter", "service", 357),
    java("org.apache.catalina.core.StandardEngineValve", "invoke", 74),
    java("org.apache.catalina.core.StandardWrapperValve", "invoke", 197),
    java("org.apache.catalina.core.ApplicationFilterChain", "doFilter", 166),
    java("io.sentry.spring.SentrySpringFilter", "doFilterInternal", 113),
    java("org.springframework.web.filter.OncePerRequestFilter", "doFilter", 117),
    java("org.apache.catalina.core.ApplicationFilterChain", "internalDoFilter", 227),
    java("javax.servlet.http.HttpServlet", "service", 764),
    java("org.springframework.web.servlet.FrameworkServlet", "service", 883),
    java("javax.servlet.http.HttpServlet", "service", 555),
    java("org.springframework.web.servlet.FrameworkServlet", "doPost", 909),
  ];
}

function npeFrames(): Json[] {
  return [
    ...servletFrames(),
    java("org.springframework.web.servlet.FrameworkServlet", "processRequest", 1006),
    java("org.springframework.web.servlet.DispatcherServlet", "doService", 964),
    java("org.springframework.web.servlet.DispatcherServlet", "doDispatch", 1072),
    java("org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter", "handle", 87),
    java(
      "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter",
      "handleInternal",
      808,
    ),
    java(
      "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter",
      "invokeHandlerMethod",
      895,
    ),
    java(
      "org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod",
      "invokeAndHandle",
      117,
    ),
    java("org.springframework.web.method.support.InvocableHandlerMethod", "invokeForRequest", 150),
    java("org.springframework.web.method.support.InvocableHandlerMethod", "doInvoke", 205),
    java("java.lang.reflect.Method", "invoke", 569),
    java("jdk.internal.reflect.DelegatingMethodAccessorImpl", "invoke", 43),
    appFrame(
      controller,
      "com.acme.orders.web.OrderController",
      "applyCoupon",
      "orderService.applyDiscount(orderId",
    ),
    {
      ...java(
        "com.acme.orders.service.OrderService$$EnhancerBySpringCGLIB$$5b1e0c2a",
        "applyDiscount",
        null,
        "<generated>",
      ),
      inApp: true,
    },
    java(
      "org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor",
      "intercept",
      708,
      "CglibAopProxy.java",
    ),
    java("org.springframework.aop.framework.ReflectiveMethodInvocation", "proceed", 186),
    java("org.springframework.transaction.interceptor.TransactionInterceptor", "invoke", 119),
    java(
      "org.springframework.transaction.interceptor.TransactionAspectSupport",
      "invokeWithinTransaction",
      388,
    ),
    java(
      "org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation",
      "proceed",
      763,
      "CglibAopProxy.java",
    ),
    java(
      "org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation",
      "invokeJoinpoint",
      792,
      "CglibAopProxy.java",
    ),
    java("org.springframework.cglib.proxy.MethodProxy", "invoke", 218),
    appFrame(
      orderServiceV2,
      "com.acme.orders.service.OrderService",
      "applyDiscount",
      "BigDecimal.valueOf(coupon.getPercentOff())",
    ),
  ];
}

function wrappedEvent(e: (typeof EVENTS)[number]): Json {
  const url = `https://orders.acme.shop/api/orders/${e.order}/coupon`;
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: ORDERS,
    platform: "java",
    title: TITLE,
    culprit: "com.acme.orders.service.OrderService in applyDiscount",
    location: "OrderService.java",
    dateMs: e.ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "NullPointerException",
          value: NPE_MESSAGE,
          module: "java.lang",
          mechanism: { type: "chained", handled: false, exception_id: 1, parent_id: 0, source: "cause" },
          frames: npeFrames(),
        }),
        exceptionValue({
          type: "NestedServletException",
          value: WRAPPER_MESSAGE,
          module: "org.springframework.web.util",
          mechanism: { type: "SentrySpringFilter", handled: false, exception_id: 0 },
          frames: [
            ...servletFrames(),
            java("org.springframework.web.servlet.FrameworkServlet", "processRequest", 1014),
          ],
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(
          e.ms - 9,
          "default",
          "com.acme.orders.web.OrderController",
          `Applying coupon ${e.code} to order ${e.order}`,
          { thread: "http-nio-8080-exec-7" },
        ),
        breadcrumb(
          e.ms - 4,
          "default",
          "org.hibernate.SQL",
          "select coupon0_.id as id1_0_, coupon0_.code as code2_0_ from coupons coupon0_ where coupon0_.code=? and coupon0_.valid_from<=? and (coupon0_.valid_until is null or coupon0_.valid_until>?)",
          null,
          "debug",
        ),
      ]),
      requestEntry({
        method: "POST",
        url,
        headers: [
          ["Content-Type", "application/json"],
          ["Host", "orders.acme.shop"],
          ["User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"],
        ],
        data: { code: e.code },
        inferredContentType: "application/json",
      }),
    ],
    tags: {
      environment: "production",
      handled: "no",
      level: "error",
      mechanism: "SentrySpringFilter",
      release: REL.version,
      server_name: "order-service-5c7b8d9f6-r8t2n",
      transaction: "POST /api/orders/{orderId}/coupon",
      url,
    },
    contexts: {
      trace: {
        trace_id: hexId(`s06:trace:${e.id}`),
        span_id: hexId(`s06:span:${e.id}`, 16),
        op: "http.server",
        status: "internal_error",
        origin: "auto.http.spring_jakarta.webmvc",
        sampled: true,
        type: "trace",
      },
      runtime: { name: "OpenJDK Runtime Environment", version: "17.0.13+11", type: "runtime" },
    },
    sdk: { name: "sentry.java.spring-boot", version: "7.18.1" },
    release: eventRelease(REL),
    metadata: {
      type: "NestedServletException",
      value: WRAPPER_MESSAGE,
      filename: "FrameworkServlet.java",
      function: "processRequest",
    },
  });
}

const tags = [
  tagDistribution("environment", [["production", 388, 7 * DAY + 11 * HOUR, 7 * MIN]]),
  tagDistribution("release", [[REL.version, 388, 7 * DAY + 11 * HOUR, 7 * MIN]]),
  tagDistribution("transaction", [["POST /api/orders/{orderId}/coupon", 388, 7 * DAY + 11 * HOUR, 7 * MIN]]),
  tagDistribution("server_name", [
    ["order-service-5c7b8d9f6-r8t2n", 201, 7 * DAY + 11 * HOUR, 7 * MIN],
    ["order-service-5c7b8d9f6-z5k1c", 187, 7 * DAY + 10 * HOUR, 29 * MIN],
  ]),
];

const suspect = sentryCommit(repo, 2, "111");

export const s06: CorpusScenario = {
  name: "s06-java-wrapped-npe",
  story:
    "ORDER-SERVICE-2D is titled NestedServletException (Spring's wrapper, thrown from " +
    "FrameworkServlet.processRequest), but the cause, the first exception in the chain, is a " +
    `NullPointerException: ${NPE_MESSAGE}, thrown in OrderService.applyDiscount. Requests carry coupon codes ` +
    "that are unknown or outside their campaign (WELCOME-10, BLACKFRIDAY25). CouponRepository.findActiveByCode " +
    "is documented to return null in that case. Until order-service@5.8.0, CouponValidator turned the null into " +
    "InvalidCouponException, which the controller maps to a 422; #301 ('look coupons up directly, drop " +
    "CouponValidator'), also Sentry's suspect commit, removed it and dereferences the result. Users get a 500 " +
    "instead of 'invalid coupon'. The fix is in OrderService.applyDiscount: throw InvalidCouponException when no " +
    "active coupon is found. The CGLIB proxy frame with <generated> source is noise.",
  issue: SHORT,
  repos: [repo],
  expected: {
    verdict: "in_app",
    repo: REPO,
    file: `${PKG}/service/OrderService.java`,
    function: "applyDiscount",
    introducedBy: { repo: REPO, commit: 2 },
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(ORDERS, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: ORDERS,
          title: TITLE,
          culprit: "com.acme.orders.service.OrderService in applyDiscount",
          platform: "java",
          metadata: {
            type: "NestedServletException",
            value: WRAPPER_MESSAGE,
            filename: "FrameworkServlet.java",
            function: "processRequest",
            in_app_frame_mix: "mixed",
          },
          substatus: "ongoing",
          count: 388,
          userCount: 254,
          firstSeenMs: EVENTS[0]!.ms,
          lastSeenMs: EVENTS[1]!.ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(wrappedEvent)),
        tags,
      },
    ],
    logs: logRows(
      EVENTS.flatMap((e) => [
        {
          project: ORDERS.slug,
          trace: hexId(`s06:trace:${e.id}`),
          ms: e.ms - 9,
          severity: "info" as const,
          message: `Applying coupon ${e.code} to order ${e.order}`,
          attrs: { "logger.name": "com.acme.orders.web.OrderController" },
        },
        {
          project: ORDERS.slug,
          trace: hexId(`s06:trace:${e.id}`),
          ms: e.ms + 1,
          severity: "error" as const,
          message: `Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed; nested exception is java.lang.NullPointerException: ${NPE_MESSAGE}] with root cause`,
          attrs: {
            "logger.name":
              "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/].[dispatcherServlet]",
          },
        },
      ]),
    ),
    ...releasesOf([REL]),
    committers: Object.fromEntries(
      EVENTS.map((e) => [e.id, committersPayload(suspect, "via SCM integration")] as const),
    ),
    codeMappings: [
      {
        id: "17",
        projectId: String(ORDERS.id),
        projectSlug: ORDERS.slug,
        repoId: "111",
        repoName: REPO,
        integrationId: "118",
        provider: { key: "github", slug: "github", name: "GitHub" },
        stackRoot: "com/acme/orders/",
        sourceRoot: "src/main/java/com/acme/orders/",
        defaultBranch: "main",
      },
    ],
  },
};
