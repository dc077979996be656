-- A term is described as of its end, or as of the as-of date while it runs (CONTRACT.md
-- §4); a term that has not started has nothing to describe yet.
with

terms as (

    select * from {{ ref('stg_reference__terms') }}

),

final as (

    select
        term_code,
        term_kind,
        start_date,
        end_date,
        case
            when end_date < {{ as_of_date() }} then end_date
            else {{ as_of_date() }}
        end as reference_date,
        end_date < {{ as_of_date() }} as has_ended
    from terms
    where start_date <= {{ as_of_date() }}

)

select * from final
