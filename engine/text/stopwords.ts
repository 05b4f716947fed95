/**
 * Words that carry no course content, already folded (lower case, no accents).
 *
 * Besides the grammatical stop words of each language, a syllabus is full of catalogue filler
 * ("the course introduces students to...", "noções de", "estudo dos") that every course of every
 * department shares; counting it as content makes unrelated courses look alike.
 */

const PT_GRAMMAR = `a ao aos as ate com como da das de do dos e ela elas ele eles em entre era essa essas esse esses
esta estas este estes eu foi ha isso isto ja la lhe mais mas me mesmo muito na nas nao nem no nos o os ou
para pela pelas pelo pelos por qual quais quando que se sem ser sera seu seus sob sobre sua suas tambem
te tem um uma umas uns sao seja sejam deve devem pode podem bem cada outro outros outra outras onde todo
todos toda todas tal tais via assim apos desde ante contra durante perante atraves meio suas tanto
ainda seus nesta neste nessa nesse num numa dessa desse desta deste dela dele delas deles cujo cuja`

const PT_FILLER = `introducao introdutorio introdutoria nocao nocoes conceito conceitos conceituacao fundamento
fundamentos fundamental fundamentais basico basicos basica basicas geral gerais aspecto aspectos estudo estudos
topico topicos elemento elementos disciplina disciplinas objetivo objetivos aluno alunos estudante estudantes
capaz capacitar visao panorama parte partes tipo tipos principal principais forma formas uso usos
caracteristica caracteristicas importancia papel abordagem abordagens diversos diversas varios varias
especial especiais relacao relacoes questao questoes ementa programa unidade unidades modulo modulos
curso cursos apresentar apresentacao compreender compreensao conhecer conhecimento conhecimentos
desenvolver habilidade habilidades competencia competencias pratica praticas teorica teoricas
teorico teoricos aplicada aplicadas aplicado aplicados aplicacao aplicacoes i ii iii iv v vi 1 2 3 4 5 6 7 8 9`

const EN_GRAMMAR = `a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its itself just me more most my no nor not of
off on once only or other our ours out over own same she should so some such than that the their theirs
them then there these they this those through to too under until up upon very was we were what when where
which while who whom why will with would you your yours within without via per well may must might shall
including include includes included among across along`

const EN_FILLER = `course courses student students introduction introductory introduces introduce introducing
overview survey topic topics emphasis emphasizes emphasized study studies studied principle principles
concept concepts basic basics fundamental fundamentals foundation foundations general various aspect aspects
focus focuses focused explore explores exploring examine examines examining provide provides
designed learn learning learned understand understanding skill skills
use uses using used class classes also well include semester unit units credit credits hour hours lecture
lectures discussion discussions emphasis major majors required requirement requirements
prerequisite prerequisites advisory recommended preparation level levels transfer transferable honors honours
i ii iii iv v vi 1 2 3 4 5 6 7 8 9`

function toSet(...lists: string[]): ReadonlySet<string> {
  return new Set(lists.join(' ').split(/\s+/).filter(Boolean))
}

export const STOP_WORDS = {
  pt: toSet(PT_GRAMMAR, PT_FILLER),
  en: toSet(EN_GRAMMAR, EN_FILLER),
} as const

export type Language = keyof typeof STOP_WORDS
