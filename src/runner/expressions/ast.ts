/** The parsed form of an expression. `start` is the offset of the node in the whole text. */
export type Ast = Literal | ArrayLiteral | Name | Member | Index | Call | Unary | Binary | Conditional;

export interface Literal {
  kind: 'literal';
  value: string | number | boolean | null;
  start: number;
}

export interface ArrayLiteral {
  kind: 'array';
  items: Ast[];
  start: number;
}

export interface Name {
  kind: 'name';
  name: string;
  start: number;
}

/** `object.property` or `object?.property`. */
export interface Member {
  kind: 'member';
  object: Ast;
  property: string;
  start: number;
}

/** `object[index]` or `object?.[index]`. */
export interface Index {
  kind: 'index';
  object: Ast;
  index: Ast;
  start: number;
}

export interface Call {
  kind: 'call';
  name: string;
  args: Ast[];
  start: number;
}

export interface Unary {
  kind: 'unary';
  operator: '!' | '-';
  operand: Ast;
  start: number;
}

export type BinaryOperator = '??' | '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export interface Binary {
  kind: 'binary';
  operator: BinaryOperator;
  left: Ast;
  right: Ast;
  start: number;
}

export interface Conditional {
  kind: 'conditional';
  test: Ast;
  then: Ast;
  otherwise: Ast;
  start: number;
}

/** Property names that would reach JavaScript's internals; never readable. */
export const FORBIDDEN_PROPERTIES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
